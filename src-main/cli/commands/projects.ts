/** Resolving `--project NAME` (created on first use, as experiment trackers do). */
import type { App } from '../../services/app';

export function projectIdFor(app: App, name: string | undefined): string {
  if (!name) return app.store.projects.getOrCreateDefault().id;
  return (app.store.projects.findByName(name) ?? app.store.projects.create({ name })).id;
}
