/**
 * The Slurm executor (issue 15; docs/slurm.md):
 *
 * - `runs.executor`: where the run's trainer executes, `local` or `slurm`.
 * - `runs.slurm_settings`: the Slurm job settings the run was created with (the defaults merged
 *   with what it asked for), so whoever starts it (the CLI, the UI, a study) submits it the same way.
 * - `runs.cancel_requested_at`: a cancel asked for by another process (`ffr runs cancel` while
 *   `ffr serve` trains the run); the host that owns the run polls for it and cancels its trainer.
 * - `slurm_jobs`: one row per submission of a run (attempt 1, then one per resume): the job id,
 *   its job folder on the shared filesystem, the settings it was submitted with, Slurm's state as
 *   last seen (with the pending or end reason, the exit code and signal), and how many bytes of the
 *   job's `messages.jsonl` the host has ingested (so a restarted host continues where it stopped).
 * - `run_locks.slurm_job_id`: a run trained by a Slurm job is locked by that job, not by processes
 *   on this machine: the lock is held until a host has seen the job end (its `slurm_jobs` state is
 *   final), whether or not the host that submitted it still lives.
 * - `settings`: small JSON documents by key (`slurm`: the default job settings).
 * - `studies.executor`, `studies.slurm_settings`: where a study's runs train and with which Slurm
 *   settings (fixed when the study is created, changed only by `ffr study resume --executor …`), so
 *   a resumed study submits its remaining runs the same way.
 */
import type { Migration } from '../migrate';

export const migration0010: Migration = {
  version: 10,
  name: '0010-slurm-executor',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN executor TEXT NOT NULL DEFAULT 'local' CHECK (executor IN ('local', 'slurm'));
      ALTER TABLE runs ADD COLUMN slurm_settings TEXT;
      ALTER TABLE runs ADD COLUMN cancel_requested_at TEXT;
      ALTER TABLE run_locks ADD COLUMN slurm_job_id TEXT;
      CREATE TABLE slurm_jobs (
        run_id          TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        attempt         INTEGER NOT NULL CHECK (attempt >= 1),
        job_id          TEXT NOT NULL,
        job_dir         TEXT NOT NULL,
        settings        TEXT NOT NULL,
        state           TEXT NOT NULL,
        reason          TEXT,
        exit_code       INTEGER,
        signal          INTEGER,
        ingested_bytes  INTEGER NOT NULL DEFAULT 0,
        submitted_at    TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        ended_at        TEXT,
        PRIMARY KEY (run_id, attempt)
      );
      CREATE INDEX slurm_jobs_job_id ON slurm_jobs(job_id);
      ALTER TABLE studies ADD COLUMN executor TEXT NOT NULL DEFAULT 'local' CHECK (executor IN ('local', 'slurm'));
      ALTER TABLE studies ADD COLUMN slurm_settings TEXT;
      CREATE TABLE settings (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `);
  },
};
