/**
 * The per-run training lock: at most one trainer trains a run at a time, whichever host started it.
 * Several hosts can share one data directory (the desktop app or `ffr serve`, and CLI commands next
 * to it), and a host killed with -9 can leave its trainer running for a moment; without the lock a
 * restarted host could resume the run while the orphan still writes its checkpoints.
 *
 * The lock is a row in `run_locks`, taken in a BEGIN IMMEDIATE transaction: SQLite's write lock
 * serializes acquirers across processes, so "check, then take" is atomic. The row names its holder:
 * an owner token (one per job manager), the host process and, once started, the trainer process,
 * each as pid + start time (see processes.ts). It is **held** while the trainer or the host is
 * alive, and **stale** once both are gone, whatever killed them; the next acquirer takes a stale
 * lock over (re-taking one's own lock resets it). Nothing has to be cleaned up after kill -9, and no lock outlives its processes.
 *
 * Two owners in one process (two stores over one file, as tests do) share a pid, so the process
 * keeps the set of owners that currently hold locks (`heldHere`) to tell them apart.
 */
import type { StoreContext } from '../context';
import { StoreError } from '../errors';
import { processAlive, processRef } from '../processes';
import { assertRunExists } from './require-run';

interface LockRow {
  run_id: string;
  owner: string;
  host_pid: number;
  host_start: number | null;
  trainer_pid: number | null;
  trainer_start: number | null;
  acquired_at: string;
}

/** Who holds a run's lock. */
export interface RunLockHolder {
  runId: string;
  hostPid: number;
  trainerPid: number | null;
  acquiredAt: string;
}

/** `${runId}\u0000${owner}` of every lock held by an owner in this process. */
const heldHere = new Set<string>();
const key = (runId: string, owner: string): string => `${runId}\u0000${owner}`;

function isHeld(row: LockRow): boolean {
  if (row.trainer_pid !== null && processAlive({ pid: row.trainer_pid, startTicks: row.trainer_start })) return true;
  if (row.host_pid === process.pid) {
    // This process (or a dead one that had our pid: then its start time differs from ours).
    const self = processRef();
    const sameProcess = row.host_start === null || self.startTicks === null || row.host_start === self.startTicks;
    return sameProcess && heldHere.has(key(row.run_id, row.owner));
  }
  return processAlive({ pid: row.host_pid, startTicks: row.host_start });
}

/** The refusal: one sentence naming the run and the process that holds it. */
function heldBy(row: LockRow): StoreError {
  const trainer = row.trainer_pid !== null && processAlive({ pid: row.trainer_pid, startTicks: row.trainer_start });
  const who = trainer ? `trainer process ${row.trainer_pid} (started by host process ${row.host_pid})` : `host process ${row.host_pid}`;
  return new StoreError('conflict', `Run "${row.run_id}" is being trained by ${who}; wait for it to stop, or cancel it where it was started.`);
}

export class RunLocksRepository {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Takes the run's lock for `owner`, or throws StoreError('conflict') naming the process that
   * holds it. A stale lock (holder gone) is taken over.
   */
  acquire(runId: string, owner: string): void {
    const db = this.ctx.db;
    db.transaction(() => {
      assertRunExists(this.ctx, runId);
      const row = db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?').get(runId);
      if (row && row.owner !== owner && isHeld(row)) throw heldBy(row);
      const host = processRef();
      db.prepare(
        `INSERT OR REPLACE INTO run_locks (run_id, owner, host_pid, host_start, trainer_pid, trainer_start, acquired_at)
         VALUES (?, ?, ?, ?, NULL, NULL, ?)`,
      ).run(runId, owner, host.pid, host.startTicks, this.ctx.now());
    }).immediate();
    heldHere.add(key(runId, owner));
  }

  /** Records the trainer process working under `owner`'s lock (its liveness keeps the lock held). */
  setTrainer(runId: string, owner: string, pid: number): void {
    const trainer = processRef(pid);
    this.ctx.db
      .prepare('UPDATE run_locks SET trainer_pid = ?, trainer_start = ? WHERE run_id = ? AND owner = ?')
      .run(trainer.pid, trainer.startTicks, runId, owner);
  }

  /** Gives the lock up (no-op if `owner` does not hold it). */
  release(runId: string, owner: string): void {
    heldHere.delete(key(runId, owner));
    this.ctx.db.prepare('DELETE FROM run_locks WHERE run_id = ? AND owner = ?').run(runId, owner);
  }

  /** The live holder of a run's lock, or null when it is free or stale. */
  holder(runId: string): RunLockHolder | null {
    const row = this.ctx.db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?').get(runId);
    if (!row || !isHeld(row)) return null;
    return { runId, hostPid: row.host_pid, trainerPid: row.trainer_pid, acquiredAt: row.acquired_at };
  }

  /** Throws the same sentence as `acquire` if another owner holds the run's lock; takes nothing. */
  assertFree(runId: string, owner?: string): void {
    const row = this.ctx.db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?').get(runId);
    if (row && row.owner !== owner && isHeld(row)) throw heldBy(row);
  }
}
