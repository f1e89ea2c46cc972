/** Projects: the store's rows, plus deleting one with everything in it. */
import type { Store } from '../store';
import { ConflictError } from './errors';
import type { JobManager } from './jobs';
import type { RunService } from './runs';

export class ProjectService {
  constructor(
    private readonly store: Store,
    private readonly jobs: JobManager,
    private readonly runs: RunService,
  ) {}

  /**
   * Deletes a project with its datasets, runs and their files. Refused while one of its runs is
   * queued or running; runs go first, through the run service, so their files go too.
   */
  delete(projectId: string): { projectId: string; runIds: string[] } {
    this.store.projects.require(projectId);
    const projectRuns = this.store.runs.list({ projectId });
    const active = projectRuns.find((r) => this.jobs.isActive(r.id));
    if (active) throw new ConflictError(`Project ${projectId} has a queued or running run (${active.id}); cancel it before deleting the project.`);
    const runIds: string[] = [];
    for (const r of projectRuns) {
      if (!this.store.runs.get(r.id)) continue; // gone with a parent already
      runIds.push(...this.runs.delete(r.id).runIds);
    }
    this.store.projects.delete(projectId);
    return { projectId, runIds };
  }
}
