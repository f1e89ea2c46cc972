/**
 * The per-run training lock across processes: a live holder (its host, or its trainer once the host
 * is gone) refuses every other owner with a sentence; a holder killed with -9 leaves a stale row that
 * the next acquirer takes over. Real processes throughout: a second store in a child process, and
 * sleeper processes standing in for trainers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../shared/run-config';
import { processRef } from '../processes';
import { type TestStore, openTestStore } from '../testing/open';

const here = path.dirname(fileURLToPath(import.meta.url));
const holderScript = path.join(here, '..', 'testing', 'lock-holder.ts');
const root = path.resolve(here, '..', '..', '..');

let t: TestStore;
const children: ChildProcess[] = [];
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  t.cleanup();
});

function newRun(): string {
  return t.store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
}

/** A process that only sleeps: a stand-in for a trainer or a host. */
function sleeper(): ChildProcess {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

function killed(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

/** Another host: a child process whose store takes the run's lock; resolves once it holds it. */
async function otherHost(runId: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', holderScript, t.file, runId], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  let err = '';
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve();
    });
    c.once('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${err}`)));
  });
  return c;
}

describe('run locks', () => {
  it('refuses a second host while the first lives, and takes the lock over once it was killed with -9', async () => {
    const runId = newRun();
    const other = await otherHost(runId);
    expect(() => t.store.runLocks.acquire(runId, 'me')).toThrow(
      `Run "${runId}" is being trained by host process ${other.pid}; wait for it to stop, or cancel it where it was started.`,
    );
    expect(t.store.runLocks.holder(runId)).toMatchObject({ runId, hostPid: other.pid, trainerPid: null });
    await killed(other);
    // The row is still there (nobody cleaned up after kill -9), but stale.
    expect(t.store.db.prepare('SELECT owner FROM run_locks WHERE run_id = ?').get(runId)).toEqual({ owner: 'lock-holder' });
    expect(t.store.runLocks.holder(runId)).toBeNull();
    t.store.runLocks.acquire(runId, 'me');
    expect(t.store.runLocks.holder(runId)).toMatchObject({ hostPid: process.pid });
  });

  it("is held by a live trainer after its host is gone, and is stale once the trainer is gone too", async () => {
    const runId = newRun();
    const host = sleeper();
    const trainer = sleeper();
    await new Promise((r) => setTimeout(r, 100));
    const h = processRef(host.pid!);
    t.store.db
      .prepare(`INSERT INTO run_locks VALUES (?, 'orphaned', ?, ?, NULL, NULL, '2026-01-01T00:00:00.000Z', NULL)`)
      .run(runId, h.pid, h.startTicks);
    t.store.runLocks.setTrainer(runId, 'orphaned', trainer.pid!);
    await killed(host);
    expect(() => t.store.runLocks.acquire(runId, 'me')).toThrow(
      `Run "${runId}" is being trained by trainer process ${trainer.pid} (started by host process ${host.pid}); wait for it to stop, or cancel it where it was started.`,
    );
    await killed(trainer);
    t.store.runLocks.acquire(runId, 'me');
    expect(t.store.runLocks.holder(runId)).toMatchObject({ hostPid: process.pid, trainerPid: null });
  });

  it('treats a pid now used by another process as gone (the recorded start time differs)', () => {
    const runId = newRun();
    const stranger = sleeper();
    const ref = processRef(stranger.pid!);
    if (ref.startTicks === null) return; // no /proc here: the pid alone decides, nothing to test
    t.store.db
      .prepare(`INSERT INTO run_locks VALUES (?, 'long-dead', ?, ?, NULL, NULL, '2026-01-01T00:00:00.000Z', NULL)`)
      .run(runId, ref.pid, ref.startTicks - 1);
    expect(t.store.runLocks.holder(runId)).toBeNull();
    t.store.runLocks.acquire(runId, 'me');
    // The same pid with its true start time: that process is alive and holds the lock.
    t.store.db.prepare(`UPDATE run_locks SET owner = 'alive', host_pid = ?, host_start = ? WHERE run_id = ?`).run(ref.pid, ref.startTicks, runId);
    expect(() => t.store.runLocks.acquire(runId, 'me')).toThrow(/is being trained by host process/);
  });

  it('tells two owners in one process apart, and frees the lock on release', () => {
    const runId = newRun();
    t.store.runLocks.acquire(runId, 'first');
    expect(() => t.store.runLocks.acquire(runId, 'second')).toThrow(`Run "${runId}" is being trained by host process ${process.pid}`);
    expect(() => t.store.runLocks.assertFree(runId)).toThrow(/is being trained/);
    t.store.runLocks.assertFree(runId, 'first');
    t.store.runLocks.release(runId, 'first');
    expect(t.store.db.prepare('SELECT COUNT(*) AS n FROM run_locks').get()).toEqual({ n: 0 });
    t.store.runLocks.acquire(runId, 'second');
    expect(t.store.runLocks.holder(runId)).not.toBeNull();
  });

  it('goes with its run', () => {
    const runId = newRun();
    t.store.runLocks.acquire(runId, 'me');
    t.store.runLocks.release(runId, 'me');
    t.store.runLocks.acquire(runId, 'me');
    t.store.runs.delete(runId);
    expect(t.store.db.prepare('SELECT COUNT(*) AS n FROM run_locks').get()).toEqual({ n: 0 });
    expect(() => t.store.runLocks.acquire(runId, 'me')).toThrow(`Unknown run "${runId}".`);
  });
});

describe('run locks of Slurm runs', () => {
  /** A run submitted as Slurm job `jobId` under `owner`'s lock, as the job manager does. */
  function submitted(owner: string, jobId: string): string {
    const runId = t.store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig(), executor: 'slurm' }).id;
    t.store.runLocks.acquire(runId, owner);
    t.store.slurmJobs.recordSubmission({ runId, attempt: 1, jobId, jobDir: '/shared/jobs/x', settings: {} });
    t.store.runLocks.setSlurmJob(runId, owner, jobId);
    return runId;
  }

  it('is held by the job, not by processes: a dead host changes nothing until a host has seen the job end', () => {
    const runId = submitted('host-a', '41');
    // The submitting host goes away (its row names a pid that does not exist).
    t.store.runLocks.detach(runId, 'host-a');
    expect(t.store.runLocks.holder(runId)).toMatchObject({ slurmJobId: '41', trainerPid: null });
    expect(() => t.store.runLocks.acquire(runId, 'host-b')).toThrow(
      `Run "${runId}" is being trained by Slurm job 41, which no host follows right now (\`ffr serve\` or \`ffr runs resume\` picks it up); wait for it to end, or cancel it with \`ffr runs cancel ${runId}\`.`,
    );
    t.store.slurmJobs.update(runId, 1, { state: 'COMPLETED', exitCode: 0, signal: 0, ended: true });
    expect(t.store.runLocks.holder(runId)).toBeNull();
    t.store.runLocks.acquire(runId, 'host-b');
  });

  it('is adopted by one host at a time: refused while the following host lives, taken once it detached or died', async () => {
    const runId = submitted('host-a', '42');
    expect(() => t.store.runLocks.acquire(runId, 'host-b')).toThrow(`Run "${runId}" is being trained by Slurm job 42, followed by host process ${process.pid}`);
    expect(() => t.store.runLocks.adopt(runId, 'host-b', '42')).toThrow(`Run "${runId}" (Slurm job 42) is followed by host process ${process.pid}`);
    t.store.runLocks.detach(runId, 'host-a');
    t.store.runLocks.adopt(runId, 'host-b', '42');
    expect(t.store.runLocks.holder(runId)).toMatchObject({ hostPid: process.pid, slurmJobId: '42' });
    // A follower killed with -9 (another process's pid, now gone) is taken over too.
    const dead = sleeper();
    await new Promise((r) => setTimeout(r, 100));
    const ref = processRef(dead.pid!);
    t.store.db.prepare(`UPDATE run_locks SET owner = 'host-c', host_pid = ?, host_start = ? WHERE run_id = ?`).run(ref.pid, ref.startTicks, runId);
    expect(() => t.store.runLocks.adopt(runId, 'host-b', '42')).toThrow(`followed by host process ${dead.pid}`);
    await killed(dead);
    t.store.runLocks.adopt(runId, 'host-b', '42');
    // Adopting another job than the one holding the run is refused like any acquire.
    t.store.runLocks.detach(runId, 'host-b');
    expect(() => t.store.runLocks.adopt(runId, 'host-d', '43')).toThrow('is being trained by Slurm job 42');
  });
});
