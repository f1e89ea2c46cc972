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
 *
 * A run trained on Slurm has no trainer process here: its lock names the **Slurm job**
 * (`slurm_job_id`), and is held until a host has seen that job end (`slurm_jobs.ended_at`), whether
 * or not the host that submitted it lives: the job trains on without it. The host that follows the
 * job (reads its messages into the store) is the row's host; when it stops it `detach`es, and the
 * next host `adopt`s the job (a restarted `ffr serve`, `ffr runs resume`). Two hosts never follow
 * one job: adopting is refused while the following host lives.
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
  slurm_job_id: string | null;
}

/** Who holds a run's lock. */
export interface RunLockHolder {
  runId: string;
  hostPid: number;
  trainerPid: number | null;
  /** The Slurm job that trains the run, for a run executed on Slurm. */
  slurmJobId: string | null;
  acquiredAt: string;
}

/** `${runId}\u0000${owner}` of every lock held by an owner in this process. */
const heldHere = new Set<string>();
const key = (runId: string, owner: string): string => `${runId}\u0000${owner}`;

/** Whether the row's host process (the one that took the lock, or follows its Slurm job) lives. */
function hostHolds(row: LockRow): boolean {
  if (row.host_pid === process.pid) {
    // This process (or a dead one that had our pid: then its start time differs from ours).
    const self = processRef();
    const sameProcess = row.host_start === null || self.startTicks === null || row.host_start === self.startTicks;
    return sameProcess && heldHere.has(key(row.run_id, row.owner));
  }
  return processAlive({ pid: row.host_pid, startTicks: row.host_start });
}

/** Whether the Slurm job named by the row has not been seen to end (it may still train the run). */
function slurmJobLives(ctx: StoreContext, row: LockRow): boolean {
  if (row.slurm_job_id === null) return false;
  const job = ctx.db
    .prepare<[string, string], { ended_at: string | null }>('SELECT ended_at FROM slurm_jobs WHERE run_id = ? AND job_id = ? ORDER BY attempt DESC LIMIT 1')
    .get(row.run_id, row.slurm_job_id);
  return job !== undefined && job.ended_at === null;
}

function isHeld(ctx: StoreContext, row: LockRow): boolean {
  if (slurmJobLives(ctx, row)) return true;
  if (row.trainer_pid !== null && processAlive({ pid: row.trainer_pid, startTicks: row.trainer_start })) return true;
  return hostHolds(row);
}

/** The refusal: one sentence naming the run and the process that holds it. */
function heldBy(ctx: StoreContext, row: LockRow): StoreError {
  if (slurmJobLives(ctx, row)) {
    const follower = hostHolds(row) ? `, followed by host process ${row.host_pid}` : ', which no host follows right now (`ffr serve` or `ffr runs resume` picks it up)';
    return new StoreError('conflict', `Run "${row.run_id}" is being trained by Slurm job ${row.slurm_job_id}${follower}; wait for it to end, or cancel it with \`ffr runs cancel ${row.run_id}\`.`);
  }
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
      if (row && row.owner !== owner && isHeld(this.ctx, row)) throw heldBy(this.ctx, row);
      const host = processRef();
      db.prepare(
        `INSERT OR REPLACE INTO run_locks (run_id, owner, host_pid, host_start, trainer_pid, trainer_start, acquired_at, slurm_job_id)
         VALUES (?, ?, ?, ?, NULL, NULL, ?, NULL)`,
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

  /** Records the Slurm job training the run under `owner`'s lock: from now on the job holds it. */
  setSlurmJob(runId: string, owner: string, jobId: string): void {
    this.ctx.db.prepare('UPDATE run_locks SET slurm_job_id = ? WHERE run_id = ? AND owner = ?').run(jobId, runId, owner);
  }

  /**
   * This host stops following the run's Slurm job (it shuts down; the job trains on): the lock stays
   * with the job, and names no live host, so the next host can adopt it.
   */
  detach(runId: string, owner: string): void {
    heldHere.delete(key(runId, owner));
    this.ctx.db.prepare(`UPDATE run_locks SET owner = 'detached', host_pid = 0, host_start = NULL WHERE run_id = ? AND owner = ?`).run(runId, owner);
  }

  /**
   * Takes over following Slurm job `jobId` of the run (a restarted host picking up its jobs):
   * allowed when the lock is the job's and no live host follows it, or when it is free. Refused with
   * StoreError('conflict') naming the host that follows it, or whatever else holds the run.
   */
  adopt(runId: string, owner: string, jobId: string): void {
    const db = this.ctx.db;
    db.transaction(() => {
      assertRunExists(this.ctx, runId);
      const row = db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?').get(runId);
      if (row && row.owner !== owner) {
        if (row.slurm_job_id === jobId) {
          if (hostHolds(row)) throw new StoreError('conflict', `Run "${runId}" (Slurm job ${jobId}) is followed by host process ${row.host_pid}; follow it there, or stop that process first.`);
        } else if (isHeld(this.ctx, row)) throw heldBy(this.ctx, row);
      }
      const host = processRef();
      db.prepare(
        `INSERT OR REPLACE INTO run_locks (run_id, owner, host_pid, host_start, trainer_pid, trainer_start, acquired_at, slurm_job_id)
         VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)`,
      ).run(runId, owner, host.pid, host.startTicks, this.ctx.now(), jobId);
    }).immediate();
    heldHere.add(key(runId, owner));
  }

  /** Gives the lock up (no-op if `owner` does not hold it). */
  release(runId: string, owner: string): void {
    heldHere.delete(key(runId, owner));
    this.ctx.db.prepare('DELETE FROM run_locks WHERE run_id = ? AND owner = ?').run(runId, owner);
  }

  /** The live holder of a run's lock, or null when it is free or stale. */
  holder(runId: string): RunLockHolder | null {
    const row = this.ctx.db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?').get(runId);
    if (!row || !isHeld(this.ctx, row)) return null;
    return { runId, hostPid: row.host_pid, trainerPid: row.trainer_pid, slurmJobId: row.slurm_job_id, acquiredAt: row.acquired_at };
  }

  /** Throws the same sentence as `acquire` if another owner holds the run's lock; takes nothing. */
  assertFree(runId: string, owner?: string): void {
    const row = this.ctx.db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?').get(runId);
    if (row && row.owner !== owner && isHeld(this.ctx, row)) throw heldBy(this.ctx, row);
  }
}
