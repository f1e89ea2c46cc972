/**
 * The host's services over one data directory: the store (the only writer), the job manager and
 * the domain services. The CLI, `ffr serve` and Electron main each create one.
 */
import { openStore, type Store } from '../store';
import { checkDataDirectory, resolveHome, type HomePaths } from './home';
import { JobManager } from './jobs';
import { ExportService } from './export';
import { PruneService } from './prune';
import { RunService } from './runs';
import { nodeTrainerLauncher, type TrainerLauncher } from './trainer-launcher';

export interface AppOptions {
  paths?: HomePaths;
  launcher?: TrainerLauncher;
  concurrency?: number;
  /** How long a cancelled trainer gets to stop before it is killed (ms). */
  cancelGraceMs?: number;
  /** better-sqlite3 build to load (Electron's ABI). */
  nativeBinding?: string;
}

export interface App {
  paths: HomePaths;
  store: Store;
  jobs: JobManager;
  runs: RunService;
  prunes: PruneService;
  exports: ExportService;
  close(): Promise<void>;
}

export function createApp(options: AppOptions = {}): App {
  const paths = options.paths ?? resolveHome();
  checkDataDirectory(paths);
  const store = openStore(paths.database, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const jobs = new JobManager({
    store,
    launcher: options.launcher ?? nodeTrainerLauncher(),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
  });
  const runs = new RunService(store, jobs, paths);
  const prunes = new PruneService(store, jobs, runs, paths);
  const exports = new ExportService(store, jobs, prunes);
  return {
    paths,
    store,
    jobs,
    runs,
    prunes,
    exports,
    async close() {
      await jobs.shutdown();
      store.close();
    },
  };
}
