/**
 * Log lines that come from a Slurm job's messages file name where they came from
 * (`run_logs.source`: the attempt and the byte offset of the message's line). A host that restarts
 * reads a job's messages again from the offset it last recorded, which can lie before lines it had
 * already logged (it records the offset with each epoch, not with each line); the unique source
 * makes the second reading of such a line a no-op, so the run's log holds every line once.
 * Lines the host writes itself (not read from a job) have no source.
 */
import type { Migration } from '../migrate';

export const migration0011: Migration = {
  version: 11,
  name: '0011-log-line-sources',
  up(db) {
    db.exec(`
      ALTER TABLE run_logs ADD COLUMN source TEXT;
      CREATE UNIQUE INDEX run_logs_source ON run_logs(run_id, source) WHERE source IS NOT NULL;
    `);
  },
};
