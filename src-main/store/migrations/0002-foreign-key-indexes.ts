/**
 * Indexes on the child side of every foreign key not already led by a primary key.
 *
 * SQLite does not index foreign-key columns by itself; without these, deleting a run scans every
 * runs/prunes/sweeps/exports row to find what cascades (and the SET NULL of prunes.child_run_id),
 * and "children of run X" / "prunes of run X" lists scan whole tables. Version 1 shipped without
 * them; this migration adds them to existing databases. (metrics, layer_snapshots and checkpoints
 * are covered by their (run_id, …) primary keys.)
 */
import type { Migration } from '../migrate';

export const migration0002: Migration = {
  version: 2,
  name: '0002-foreign-key-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX IF NOT EXISTS datasets_project ON datasets(project_id);
      CREATE INDEX IF NOT EXISTS runs_parent ON runs(parent_run_id);
      CREATE INDEX IF NOT EXISTS prunes_source ON prunes(source_run_id, created_at);
      CREATE INDEX IF NOT EXISTS prunes_child ON prunes(child_run_id);
      CREATE INDEX IF NOT EXISTS sweeps_source ON sweeps(source_run_id, created_at);
      CREATE INDEX IF NOT EXISTS exports_run ON exports(run_id);
      CREATE INDEX IF NOT EXISTS exports_prune ON exports(prune_id);
    `);
  },
};
