/**
 * Which host process owns a run. Several hosts may share one data directory (the desktop app or
 * `ffr serve`, and a CLI command next to it); start-up recovery must only interrupt runs whose host
 * is gone, not the live runs of another host. NULL for runs written before this migration (treated
 * as orphaned, as version 2 did).
 */
import type { Migration } from '../migrate';

export const migration0003: Migration = {
  version: 3,
  name: '0003-run-host-pid',
  up(db) {
    db.exec(`ALTER TABLE runs ADD COLUMN host_pid INTEGER`);
  },
};
