import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../shared/run-config';
import { openStore } from './database';
import { processRef } from './processes';
import { INTERRUPTED_ERROR } from './repositories/runs';
import { removeDir, tempDbFile } from './testing/fixtures';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'testing', 'crash-child.ts');
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) removeDir(dirs.pop()!);
});

/** Creates a queued run, then lets a separate process start it and die in the middle of epoch 2. */
function crashMidRun(mode: 'kill' | 'exit'): { file: string; runId: string; otherId: string } {
  const { dir, file } = tempDbFile();
  dirs.push(dir);
  const setup = openStore(file);
  const runId = setup.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
  const otherId = setup.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
  setup.close();

  const result = spawnSync(process.execPath, ['--import', 'tsx', child, file, runId, mode], {
    cwd: path.resolve(here, '..', '..'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.stdout, result.stderr).toContain('dying');
  if (mode === 'kill') expect(result.signal).toBe('SIGKILL');
  else expect(result.status).toBe(3);
  return { file, runId, otherId };
}

describe('recovery of runs a dead process left running', () => {
  for (const mode of ['kill', 'exit'] as const) {
    it(`marks the run interrupted on the next open (${mode === 'kill' ? 'kill -9' : 'process.exit'}), keeping committed epochs only`, () => {
      const { file, runId, otherId } = crashMidRun(mode);
      const store = openStore(file);
      try {
        expect(store.recovered).toEqual([runId]);
        const run = store.runs.require(runId);
        expect(run).toMatchObject({ status: 'interrupted', error: INTERRUPTED_ERROR, epochsDone: 1, backend: 'cpu' });
        expect(store.runs.require(otherId).status).toBe('queued');
        // Epoch 1 committed; the half-written epoch 2 is gone with its transaction.
        expect(store.metrics.list(runId).map((m) => m.epoch)).toEqual([1]);
        expect(store.snapshots.epochs(runId)).toEqual([1]);
        expect(store.checkpoints.latest(runId)?.path).toBe('/ckpt/epoch-1.bin');
        // Resumable: it can be started again from there.
        expect(store.runs.markRunning(runId, { backend: 'cpu' }).status).toBe('running');
      } finally {
        store.close();
      }
    });
  }

  it('recovers nothing when nothing was running, and can be skipped', () => {
    const { file, runId } = crashMidRun('kill');
    const untouched = openStore(file, { recoverInterrupted: false });
    expect(untouched.recovered).toEqual([]);
    expect(untouched.runs.require(runId).status).toBe('running');
    expect(untouched.recoverInterruptedRuns()).toEqual([runId]);
    expect(untouched.recoverInterruptedRuns()).toEqual([]);
    untouched.close();
  });
});

describe('recovery with several hosts on one data directory', () => {
  it('leaves the runs of another live host alone and interrupts them once that host is gone', async () => {
    const { spawn } = await import('node:child_process');
    const { dir, file } = tempDbFile();
    dirs.push(dir);
    // Another host: any live process will do; its pid (and start time) is written as the owner of two runs.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const store = openStore(file);
    const running = store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
    const queued = store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
    store.runs.markRunning(running, { backend: 'wasm' });
    store.db.prepare('UPDATE runs SET host_pid = ?, host_start = ?').run(other.pid, processRef(other.pid!).startTicks);
    store.close();

    const whileAlive = openStore(file);
    expect(whileAlive.recovered).toEqual([]);
    expect(whileAlive.runs.require(running).status).toBe('running');
    expect(whileAlive.runs.require(queued).status).toBe('queued');
    whileAlive.close();

    await new Promise<void>((resolve) => {
      other.on('exit', () => resolve());
      other.kill('SIGKILL');
    });
    const afterwards = openStore(file);
    expect(afterwards.recovered).toEqual([running, queued].sort());
    expect(afterwards.runs.require(running)).toMatchObject({ status: 'interrupted', error: INTERRUPTED_ERROR });
    afterwards.close();
  });

  it('interrupts the runs of a host whose pid now belongs to another process (Linux: start time differs)', async () => {
    const { spawn } = await import('node:child_process');
    const { dir, file } = tempDbFile();
    dirs.push(dir);
    const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const ref = processRef(stranger.pid!);
      if (ref.startTicks === null) return; // no /proc: only the pid is known, nothing to test here
      const store = openStore(file);
      const running = store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
      store.runs.markRunning(running, { backend: 'wasm' });
      // Recorded: the stranger's pid, but the start time of the (dead) host that had it before.
      store.db.prepare('UPDATE runs SET host_pid = ?, host_start = ?').run(ref.pid, ref.startTicks - 100);
      store.close();
      const reopened = openStore(file);
      expect(reopened.recovered).toEqual([running]);
      reopened.close();
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

describe('recovery and Slurm runs', () => {
  it('leaves a run whose Slurm job was not seen to end to the next host that picks it up, and interrupts it once it has', () => {
    const { dir, file } = tempDbFile();
    dirs.push(dir);
    const setup = openStore(file);
    const runId = setup.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig(), executor: 'slurm' }).id;
    const localId = setup.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
    setup.slurmJobs.recordSubmission({ runId, attempt: 1, jobId: '77', jobDir: path.join(dir, 'slurm-jobs', runId, 'attempt-1'), settings: { time: '1:00:00' } });
    for (const id of [runId, localId]) setup.runs.markRunning(id, { backend: 'cpu' });
    // Both rows name a host that is gone.
    setup.db.prepare('UPDATE runs SET host_pid = 2147483646, host_start = NULL').run();
    expect(setup.runs.recoverIfOrphaned(runId)).toBe(false);
    setup.close();

    const next = openStore(file);
    expect(next.recovered).toEqual([localId]);
    expect(next.runs.require(runId)).toMatchObject({ status: 'running', executor: 'slurm', slurmJob: { jobId: '77', state: 'SUBMITTED', attempt: 1 } });
    expect(next.runs.require(runId).slurmJob!.jobDir).toBe(path.join(dir, 'slurm-jobs', runId, 'attempt-1'));
    next.slurmJobs.update(runId, 1, { state: 'NODE_FAIL', ended: true });
    next.close();
    expect(openStore(file).recovered).toEqual([runId]);
  });
});
