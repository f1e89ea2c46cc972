/**
 * Per-step scalars and per-run log lines (issue "tracker basics"): run_steps holds one row every few
 * training steps (the window mean of loss, cross-entropy, accuracy, the FFR terms, lr, step time and
 * memory), written with its epoch's transaction; run_logs keeps what the trainer, the tool jobs on
 * the run and the host said about it, so a reloaded page (or `ffr runs show`) still shows it.
 *
 * Numbered 8: 4–7 belong to branches developed alongside (see migrate.ts: gaps are allowed, and a
 * lower number that arrives later is still applied).
 */
import type { Migration } from '../migrate';

export const migration0008: Migration = {
  version: 8,
  name: '0008-run-steps-and-logs',
  up(db) {
    db.exec(`
      CREATE TABLE run_steps (
        run_id         TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step           INTEGER NOT NULL,
        epoch          INTEGER NOT NULL,
        time_ms        REAL NOT NULL,
        window         INTEGER NOT NULL,
        loss           REAL NOT NULL,
        cross_entropy  REAL NOT NULL,
        accuracy       REAL NOT NULL,
        ffr_length     REAL NOT NULL,
        ffr_curvature  REAL NOT NULL,
        reg_loss       REAL NOT NULL,
        lr             REAL NOT NULL,
        step_ms        REAL NOT NULL,
        rss_bytes      INTEGER NOT NULL,
        tensor_bytes   INTEGER NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;

      CREATE TABLE run_logs (
        run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq      INTEGER NOT NULL,
        time     TEXT NOT NULL,
        level    TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),
        message  TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `);
  },
};
