/**
 * The job manager with real trainer processes: polite cancel, cancel escalated to a kill, a crash
 * (injected through the trainer's FFR_TRAINER_CRASH_AFTER_EPOCH test hook) and the queue.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '../shared/metrics';
import { createApp } from './app';
import { crashReason } from './jobs';
import { nodeTrainerLauncher } from './trainer-launcher';
import { testApp, tinyRunConfig, waitFor } from './testing/host';

const here = path.dirname(fileURLToPath(import.meta.url));

type TestApp = ReturnType<typeof testApp>;

let current: TestApp | undefined;
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

function setup(o: Parameters<typeof testApp>[0] = {}): TestApp {
  current = testApp(o);
  return current;
}

/** Records every status a run goes through, in order. */
function statusLog(app: TestApp): Map<string, RunStatus[]> {
  const log = new Map<string, RunStatus[]>();
  app.jobs.on('run-status', ({ runId, status }) => log.set(runId, [...(log.get(runId) ?? []), status]));
  return log;
}

describe('job manager', () => {
  it('cancels a running trainer politely: it stops at the next step and the run is cancelled', async () => {
    // A grace period longer than the test's timeout: a cancelled outcome can only come from the
    // trainer stopping by itself, never from the kill.
    const app = setup({ cancelGraceMs: 600_000 });
    const run = await app.runs.create({ config: tinyRunConfig({ epochs: 200 }) });
    let progressed = false;
    app.jobs.on('run-progress', () => (progressed = true));
    const outcome = app.runs.start(run.id);
    await waitFor(() => progressed, 'training progress');
    expect(app.runs.cancel(run.id)).toBe(true);
    expect(await outcome).toEqual({ runId: run.id, status: 'cancelled', error: null });
    const stored = app.store.runs.require(run.id);
    expect(stored.status).toBe('cancelled');
    expect(stored.epochsDone).toBeLessThan(200);
  });

  it('kills a trainer that ignores the cancel after the grace period', async () => {
    const app = setup({ trainerEnv: { FFR_TRAINER_IGNORE_CANCEL: '1' }, cancelGraceMs: 500 });
    const run = await app.runs.create({ config: tinyRunConfig({ epochs: 500 }) });
    let progressed = false;
    app.jobs.on('run-progress', () => (progressed = true));
    const outcome = app.runs.start(run.id);
    await waitFor(() => progressed, 'training progress');
    app.runs.cancel(run.id);
    const started = Date.now();
    expect((await outcome).status).toBe('cancelled');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(app.store.runs.require(run.id).status).toBe('cancelled');
  });

  it('marks a run whose trainer crashes as failed with the reason, and keeps the host up', async () => {
    const app = setup({ trainerEnv: { FFR_TRAINER_CRASH_AFTER_EPOCH: '1' } });
    const run = await app.runs.create({ config: tinyRunConfig({ epochs: 5 }) });
    const outcome = await app.runs.start(run.id);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/^The trainer process exited with code 3 before finishing/);
    const stored = app.store.runs.require(run.id);
    expect(stored.status).toBe('failed');
    expect(stored.error).toBe(outcome.error);
    // Epoch 1 was recorded before the crash, and the run can resume from its checkpoint.
    expect(stored.epochsDone).toBe(1);
    expect(app.store.checkpoints.latest(run.id)?.epoch).toBe(1);
  });

  it('explains an out-of-memory crash', () => {
    expect(crashReason(null, 'SIGABRT', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')).toBe(
      'The trainer process ran out of memory; try a smaller batch size or model.',
    );
    expect(crashReason(null, 'SIGKILL', '')).toBe('The trainer process was killed by signal SIGKILL.');
  });

  it('runs one at a time with concurrency 1: the second run waits in the queue', async () => {
    const app = setup({ concurrency: 1 });
    const log = statusLog(app);
    const phases = new Map<string, string[]>();
    app.jobs.on('run-status', ({ runId, queuePhase }) => queuePhase && phases.set(runId, [...(phases.get(runId) ?? []), queuePhase]));
    const a = await app.runs.create({ config: tinyRunConfig() });
    const b = await app.runs.create({ config: tinyRunConfig() });
    const pa = app.runs.start(a.id);
    const pb = app.runs.start(b.id);
    await waitFor(() => (log.get(a.id) ?? []).includes('running'), 'the first run to start');
    expect(app.jobs.isQueued(b.id)).toBe(true);
    expect(app.store.runs.require(b.id).status).toBe('queued');
    expect(app.runs.list().find((r) => r.id === b.id)?.queuePhase).toBe('waiting');
    const [oa, ob] = await Promise.all([pa, pb]);
    expect([oa.status, ob.status]).toEqual(['completed', 'completed']);
    // b started only after a had finished.
    const aDone = app.store.runs.require(a.id).finishedAt!;
    const bStart = app.store.runs.require(b.id).startedAt!;
    expect(Date.parse(bStart)).toBeGreaterThanOrEqual(Date.parse(aDone));
    // Queued twice: waiting for the slot, then with its trainer starting (the UI's "starting…").
    expect(log.get(b.id)).toEqual(['queued', 'queued', 'running', 'completed']);
    expect(phases.get(b.id)).toEqual(['waiting', 'starting']);
  });

  it('cancels a queued run without starting a trainer', async () => {
    const app = setup({ concurrency: 1 });
    const a = await app.runs.create({ config: tinyRunConfig({ epochs: 200 }) });
    const b = await app.runs.create({ config: tinyRunConfig() });
    const pa = app.runs.start(a.id);
    const pb = app.runs.start(b.id);
    expect(app.runs.cancel(b.id)).toBe(true);
    expect(await pb).toEqual({ runId: b.id, status: 'cancelled', error: null });
    expect(app.store.runs.require(b.id).startedAt).toBeNull();
    app.runs.cancel(a.id);
    expect((await pa).status).toBe('cancelled');
  });

  it('resumes a crashed run from its checkpoint to completion', async () => {
    const app = setup({ trainerEnv: { FFR_TRAINER_CRASH_AFTER_EPOCH: '1' } });
    const run = await app.runs.create({ config: tinyRunConfig({ epochs: 2 }) });
    expect((await app.runs.start(run.id)).status).toBe('failed');
    // A second host over the same store, without the fault, continues it.
    const again = createApp({ paths: app.paths, launcher: nodeTrainerLauncher() });
    try {
      expect((await again.runs.resume(run.id)).status).toBe('completed');
      expect(again.store.runs.require(run.id).epochsDone).toBe(2);
    } finally {
      await again.close();
    }
  });

  it('cancelling twice (Ctrl-C, then shutdown) leaves no kill timer: the host process ends as soon as it has closed', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-cancel-twice-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'testing', 'cancel-twice.ts'), home], {
        cwd: path.resolve(here, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let closedAt = 0;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!closedAt && out.includes('closed')) closedAt = Date.now();
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        // The grace period is 60 s: a leftover timer would hold the process far beyond this bound.
        const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
        child.on('exit', (c) => {
          clearTimeout(guard);
          resolve(c);
        });
      });
      expect(code, err).toBe(0);
      expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ status: 'cancelled' });
      expect(closedAt).toBeGreaterThan(0);
      expect(Date.now() - closedAt).toBeLessThan(10_000);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('a full database (SQLITE_FULL) fails the run with "the disk is full" and keeps the host up', async () => {
    const app = setup();
    const run = await app.runs.create({ config: tinyRunConfig({ epochs: 20 }) });
    // A real SQLITE_FULL, from SQLite's own size limit: the database may not grow by a single page,
    // so the first epoch's transaction fails (the run row's update to running still fits).
    const pages = Number(app.store.db.pragma('page_count', { simple: true }));
    app.store.db.pragma(`max_page_count = ${pages}`);
    const outcome = await app.runs.start(run.id);
    expect(outcome).toEqual({ runId: run.id, status: 'failed', error: 'Recording epoch 1 of the run failed: the disk is full.' });
    expect(app.store.runs.require(run.id)).toMatchObject({ status: 'failed', error: outcome.error, epochsDone: 0 });
    // The trainer was stopped, and with its exit the run's lock is free again.
    await waitFor(() => !app.jobs.isActive(run.id), 'the trainer to exit');
    expect(app.store.runLocks.holder(run.id)).toBeNull();
  });

  it('a database that refuses every write mid-run does not take the host down; the final status is written once it can be', async () => {
    const app = setup();
    const run = await app.runs.create({ config: tinyRunConfig({ epochs: 20 }) });
    const logs: string[] = [];
    app.jobs.on('log', (l) => {
      if (l.level === 'error') logs.push(l.message);
    });
    app.jobs.on('run-status', ({ status }) => {
      // From the moment the run runs, SQLite refuses every write (query_only), so recording the
      // epoch, marking the run failed and releasing its lock all fail.
      if (status === 'running') app.store.db.pragma('query_only = 1');
    });
    const outcome = await app.runs.start(run.id);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe('Recording epoch 1 of the run failed: the data directory is read-only.');
    expect(logs.some((m) => m.startsWith(`Run ${run.id} ended failed, but that could not be recorded: the data directory is read-only;`))).toBe(true);
    expect(app.store.runs.require(run.id).status).toBe('running');
    // Writable again: the host's shutdown writes what it could not.
    app.store.db.pragma('query_only = 0');
    await app.jobs.shutdown();
    expect(app.store.runs.require(run.id)).toMatchObject({ status: 'failed', error: outcome.error });
  });

  it('refuses to start a trainer for a run whose lock another host holds, and leaves that run alone', async () => {
    const a = setup({ cancelGraceMs: 60_000 });
    const run = await a.runs.create({ config: tinyRunConfig({ epochs: 500 }) });
    let stepped = false;
    a.jobs.on('run-progress', () => (stepped = true));
    const training = a.runs.start(run.id);
    await waitFor(() => stepped, 'training progress');
    const holder = a.store.runLocks.holder(run.id);
    expect(holder?.trainerPid).toBeGreaterThan(0);
    // A second host on the same data directory that believes the run is free (say its recovery
    // misjudged the first host): it must still not start a second trainer.
    const b = createApp({ paths: a.paths, launcher: nodeTrainerLauncher() });
    try {
      b.store.db.prepare(`UPDATE runs SET status = 'interrupted' WHERE id = ?`).run(run.id);
      const sentence = `Run "${run.id}" is being trained by trainer process ${holder!.trainerPid} (started by host process ${process.pid}); wait for it to stop, or cancel it where it was started.`;
      expect(() => b.runs.resume(run.id)).toThrow(sentence);
      const refused = await b.jobs.submitRun(run.id, { kind: 'train', runId: run.id, config: b.store.runs.require(run.id).config as never, checkpointDir: path.join(b.paths.runsDir, run.id, 'checkpoints'), start: { from: 'scratch' } });
      expect(refused).toEqual({ runId: run.id, status: 'failed', error: sentence });
      expect(b.store.runs.require(run.id).status).toBe('interrupted');
      a.runs.cancel(run.id);
      await training;
      await waitFor(() => !a.jobs.isActive(run.id), 'the first trainer to exit');
      // The first trainer is gone and its lock released: now the second host may resume.
      b.store.db.prepare(`UPDATE runs SET status = 'cancelled' WHERE id = ?`).run(run.id);
      const resumed = b.runs.resume(run.id);
      expect(b.store.runLocks.holder(run.id)?.hostPid).toBe(process.pid);
      b.runs.cancel(run.id);
      expect((await resumed).status).toBe('cancelled');
    } finally {
      await b.close();
    }
  });
});
