/**
 * The job manager with real trainer processes: polite cancel, cancel escalated to a kill, a crash
 * (injected through the trainer's FFR_TRAINER_CRASH_AFTER_EPOCH test hook) and the queue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '../shared/metrics';
import { createApp } from './app';
import { crashReason } from './jobs';
import { nodeTrainerLauncher } from './trainer-launcher';
import { testApp, tinyRunConfig, waitFor } from './testing/host';

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
});
