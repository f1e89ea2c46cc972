/** projects.* methods. */
import type { DomainHandlers, HandlerContext } from './types';

export function projectHandlers({ app }: HandlerContext): DomainHandlers<'projects'> {
  const { store } = app;
  return {
    'projects.list': () => store.projects.list(),
    'projects.create': ({ name }) => store.projects.create({ name }),
    'projects.rename': ({ projectId, name }) => store.projects.rename(projectId, name),
    'projects.delete': ({ projectId }) => app.projects.delete(projectId),
  };
}
