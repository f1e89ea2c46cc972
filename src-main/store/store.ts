/** The store: every repository over one connection. The host creates one per data directory. */
import type Database from 'better-sqlite3';
import type { Checkpoint } from '../shared/store-types';
import type { StoreContext } from './context';
import { storePaths, type StorePaths } from './paths';
import { CheckpointsRepository } from './repositories/checkpoints';
import { DatasetsRepository } from './repositories/datasets';
import { ExportsRepository } from './repositories/exports';
import { LogsRepository } from './repositories/logs';
import { MetricsRepository } from './repositories/metrics';
import { ProjectsRepository } from './repositories/projects';
import { PrunesRepository } from './repositories/prunes';
import { RunLocksRepository } from './repositories/run-locks';
import { RunsRepository } from './repositories/runs';
import { SettingsRepository } from './repositories/settings';
import { SlurmJobsRepository } from './repositories/slurm-jobs';
import { SnapshotsRepository } from './repositories/snapshots';
import { StepsRepository } from './repositories/steps';
import { StudiesRepository } from './repositories/studies';
import { SweepsRepository } from './repositories/sweeps';

export class Store {
  readonly projects: ProjectsRepository;
  readonly datasets: DatasetsRepository;
  readonly runs: RunsRepository;
  readonly runLocks: RunLocksRepository;
  readonly metrics: MetricsRepository;
  readonly snapshots: SnapshotsRepository;
  readonly checkpoints: CheckpointsRepository;
  readonly prunes: PrunesRepository;
  readonly sweeps: SweepsRepository;
  readonly exports: ExportsRepository;
  readonly slurmJobs: SlurmJobsRepository;
  readonly settings: SettingsRepository;
  readonly steps: StepsRepository;
  readonly logs: LogsRepository;
  readonly studies: StudiesRepository;
  /** Runs turned `interrupted` when this store was opened (empty if recovery was skipped). */
  recovered: string[] = [];
  /** The data directory (the database's folder) and the path conversion of its rows. */
  readonly paths: StorePaths;

  constructor(
    readonly db: Database.Database,
    /** The database file, for messages. */
    readonly file: string,
    now: () => string,
  ) {
    this.paths = storePaths(file);
    const ctx: StoreContext = { db, now, paths: this.paths };
    this.projects = new ProjectsRepository(ctx);
    this.datasets = new DatasetsRepository(ctx);
    this.runs = new RunsRepository(ctx);
    this.runLocks = new RunLocksRepository(ctx);
    this.metrics = new MetricsRepository(ctx);
    this.snapshots = new SnapshotsRepository(ctx);
    this.checkpoints = new CheckpointsRepository(ctx);
    this.prunes = new PrunesRepository(ctx);
    this.sweeps = new SweepsRepository(ctx);
    this.exports = new ExportsRepository(ctx);
    this.slurmJobs = new SlurmJobsRepository(ctx);
    this.settings = new SettingsRepository(ctx);
    this.steps = new StepsRepository(ctx);
    this.logs = new LogsRepository(ctx);
    this.studies = new StudiesRepository(ctx);
  }

  /** Turns every run left `running` into `interrupted`; returns their ids. See RunsRepository. */
  recoverInterruptedRuns(): string[] {
    return this.runs.recoverInterrupted();
  }

  /**
   * Forgets a run's records after `epoch` (for resume); returns the checkpoints removed, whose files
   * the caller deletes once this has committed.
   */
  resetToEpoch(runId: string, epoch: number): Checkpoint[] {
    return this.runs.resetToEpoch(runId, epoch);
  }

  /** Runs `fn` in one IMMEDIATE transaction (for services that combine several writes). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
