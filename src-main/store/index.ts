/** The store's public surface: open it, then use the repositories on the returned Store. */
export { openDatabase, openStore, type OpenOptions, type StoreOptions } from './database';
export { Store } from './store';
export { StoreError, type StoreErrorCode, describeStorageError, storageProblem } from './errors';
export { migrate, schemaVersion, latestVersion, type Migration, type MigrationResult } from './migrate';
export { MIGRATIONS, APPLICATION_ID } from './migrations';
export { INTERRUPTED_ERROR, type NewRun, type RunDeletion } from './repositories/runs';
export { DEFAULT_PROJECT_NAME } from './repositories/projects';
export type { NewPrune } from './repositories/prunes';
export type { NewSweep } from './repositories/sweeps';
export type { NewStudy, StoredPoint, StudyHost } from './repositories/studies';
export type { NewExport } from './repositories/exports';
export type { SnapshotQuery } from './repositories/snapshots';
export type { RunLockHolder } from './repositories/run-locks';
export { relativeInside, type StorePaths } from './paths';
export type { SlurmJobRecord, SlurmJobUpdate } from './repositories/slurm-jobs';
