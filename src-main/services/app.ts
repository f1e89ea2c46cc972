/**
 * The host's services over one data directory: the store (the only writer), the job manager and
 * the domain services. The CLI, `ffr serve` and Electron main each create one.
 */
import { openStore, type Store } from '../store';
import { DatasetService } from './datasets';
import { ExportService } from './export';
import { checkDataDirectory, resolveHome, type HomePaths } from './home';
import { JobManager } from './jobs';
import { ProjectService } from './projects';
import { PruneService } from './prune';
import { RunService } from './runs';
import { SlurmLauncher } from './slurm/launcher';
import { StudyService, localExecutor, type RunExecutor } from './studies';
import { ToolRunner } from './tools';
import { nodeTrainerLauncher, type TrainerLauncher } from './trainer-launcher';

export interface AppOptions {
  paths?: HomePaths;
  launcher?: TrainerLauncher;
  concurrency?: number;
  /** How long a cancelled trainer gets to stop before it is killed (ms). */
  cancelGraceMs?: number;
  /** better-sqlite3 build to load (Electron's ABI). */
  nativeBinding?: string;
  /**
   * The Slurm executor: false to leave it out; otherwise how often it reads job folders and asks
   * Slurm for states (ms; defaults 1000 and 5000, or FFR_SLURM_POLL_MS / FFR_SLURM_STATE_POLL_MS).
   */
  slurm?: false | { pollMs?: number; statePollMs?: number };
  /**
   * Pick up the Slurm jobs no live host follows (long-lived shells: `ffr serve`, the desktop app),
   * so a restarted host records the rest of their runs.
   */
  pickUpSlurmJobs?: boolean;
  /** How a study's runs are trained (default: in this host's job manager, `localExecutor`). */
  executor?: (runs: RunService) => RunExecutor;
}

export interface App {
  paths: HomePaths;
  store: Store;
  jobs: JobManager;
  /** Tool jobs (prune, sweep, export, dataset reads, backend probe) in trainer processes. */
  tools: ToolRunner;
  projects: ProjectService;
  datasets: DatasetService;
  runs: RunService;
  prunes: PruneService;
  exports: ExportService;
  studies: StudyService;
  close(): Promise<void>;
}

export function createApp(options: AppOptions = {}): App {
  const paths = options.paths ?? resolveHome();
  checkDataDirectory(paths);
  const store = openStore(paths.database, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const launcher = options.launcher ?? nodeTrainerLauncher();
  const envMs = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
  const slurmTiming = options.slurm === false ? null : { pollMs: options.slurm?.pollMs ?? envMs('FFR_SLURM_POLL_MS'), statePollMs: options.slurm?.statePollMs ?? envMs('FFR_SLURM_STATE_POLL_MS') };
  // Events of the Slurm launcher go out through the job manager, created just below.
  const events: { jobs?: JobManager } = {};
  const slurm =
    slurmTiming === null
      ? undefined
      : new SlurmLauncher({
          store,
          paths,
          ...(slurmTiming.pollMs ? { pollMs: slurmTiming.pollMs } : {}),
          ...(slurmTiming.statePollMs ? { statePollMs: slurmTiming.statePollMs } : {}),
          onJob: (runId, job) => events.jobs?.emit('run-slurm', { runId, job }),
          onLog: (runId, level, message) => events.jobs?.log(runId, level, message),
        });
  const jobs = new JobManager({
    store,
    launcher,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
    ...(slurm ? { slurm } : {}),
  });
  events.jobs = jobs;
  const tools = new ToolRunner(launcher);
  const runs = new RunService(store, jobs, paths);
  if (options.pickUpSlurmJobs) runs.pickUpSlurmJobs();
  const prunes = new PruneService(store, tools, runs, paths);
  const exports = new ExportService(store, tools, prunes, paths);
  // The executor decides how a study's runs train; everything else about a study is the same.
  const studies = new StudyService(store, runs, prunes, (options.executor ?? localExecutor)(runs));
  return {
    paths,
    store,
    jobs,
    tools,
    projects: new ProjectService(store, jobs, runs),
    datasets: new DatasetService(store, tools),
    runs,
    prunes,
    exports,
    studies,
    async close() {
      // Studies first: they must see their runs stop as a shutdown (interrupted), not a failure.
      await studies.shutdown(async () => {
        await Promise.all([jobs.shutdown(), tools.shutdown()]);
      });
      store.close();
    },
  };
}
