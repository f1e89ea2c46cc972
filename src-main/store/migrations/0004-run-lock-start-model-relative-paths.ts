/**
 * Hardening of runs and files (issue 9):
 *
 * - `runs.start_model`: the model file a run starts from (a fine-tune's pruned model). Until now it
 *   lived in the host's memory only, so a fine-tune cancelled before its first checkpoint and resumed
 *   later trained the full, unpruned network.
 * - `runs.host_start`: start time of `host_pid` (Linux clock ticks), so that recovery can tell the
 *   recorded host from an unrelated process that got its pid later. NULL where unknown.
 * - `run_locks`: at most one trainer per run, across hosts; see RunLocksRepository. A row whose
 *   holder died (kill -9) is stale and is taken over by the next acquirer.
 * - File paths (`checkpoints.path`, `prunes.model_path`, `exports.dir`) become relative to the data
 *   directory, so moving the folder keeps every run usable. Absolute paths inside the folder holding
 *   the database are rewritten; so are those inside the folder the data directory was moved *from*,
 *   recognised by the checkpoint layout `<old home>/runs/<run id>/checkpoints/<file>` of its own run.
 *   Paths elsewhere (an export the user wrote to a folder of their own) stay absolute.
 */
import path from 'node:path';
import type { Migration } from '../migrate';
import { relativeInside } from '../paths';

/** The data directories the stored absolute paths were written under: here, and where it came from. */
function knownHomes(db: Parameters<Migration['up']>[0], here: string): string[] {
  const homes = new Set<string>([here]);
  const rows = db.prepare<[], { run_id: string; path: string }>('SELECT run_id, path FROM checkpoints').all();
  for (const { run_id: runId, path: file } of rows) {
    if (!path.isAbsolute(file)) continue;
    const checkpoints = path.dirname(file);
    const runDir = path.dirname(checkpoints);
    const runsDir = path.dirname(runDir);
    if (path.basename(checkpoints) === 'checkpoints' && path.basename(runDir) === runId && path.basename(runsDir) === 'runs') {
      homes.add(path.dirname(runsDir));
    }
  }
  return [...homes];
}

export const migration0004: Migration = {
  version: 4,
  name: '0004-run-lock-start-model-relative-paths',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN start_model TEXT;
      ALTER TABLE runs ADD COLUMN host_start INTEGER;
      CREATE TABLE run_locks (
        run_id         TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        owner          TEXT NOT NULL,
        host_pid       INTEGER NOT NULL,
        host_start     INTEGER,
        trainer_pid    INTEGER,
        trainer_start  INTEGER,
        acquired_at    TEXT NOT NULL
      );
    `);
    if (db.memory) return;
    const homes = knownHomes(db, path.dirname(path.resolve(db.name)));
    const relative = (file: string): string | null => {
      if (!path.isAbsolute(file)) return null;
      for (const home of homes) {
        const rel = relativeInside(home, file);
        if (rel !== null) return rel;
      }
      return null;
    };
    for (const [table, column, key] of [
      ['checkpoints', 'path', 'rowid'],
      ['prunes', 'model_path', 'id'],
      ['exports', 'dir', 'id'],
    ] as const) {
      const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`);
      const rows = db.prepare<[], { key: string | number; value: string }>(`SELECT ${key} AS key, ${column} AS value FROM ${table}`).all();
      for (const row of rows) {
        const rel = relative(row.value);
        if (rel !== null) update.run(rel, row.key);
      }
    }
  },
};
