/**
 * Fault scenarios, processes: kill -9 of a trainer, of a CLI host (`ffr train`), and of `ffr serve`
 * followed by a restart and a resume; Ctrl-C of `ffr train`; a second host trying to train a run
 * whose trainer is alive. Real processes, a real data directory, tiny synthetic runs.
 *
 * What must hold: a trainer whose host is gone stops within seconds (it cannot see the IPC channel
 * close while it trains, see trainer/host-watch.ts); nothing trains a run twice (the run lock); the
 * killed run is interrupted and resumes to the same epochs an uninterrupted run records.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyModelFile } from '../catalog/models/model-file';
import { createApp } from '../services/app';
import { homePaths } from '../services/home';
import { nodeTrainerLauncher } from '../services/trainer-launcher';
import { tinyConfig, tinyRunConfig } from '../services/testing/host';
import { openStore } from '../store';
import { alive, epochsOf, onlyRunId, peek, type Running, startFfr, tempHome, tinyTrainFlags, trainerOf, within } from './harness';

const homes: string[] = [];
const processes: Running[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h;
}

function start(h: string, args: string[], env: Record<string, string> = {}): Running {
  const p = startFfr(h, args, env);
  processes.push(p);
  return p;
}

/** Epochs of about 0.1–0.3 s: long enough to kill a host mid-run, short enough to finish quickly. */
const RUN = { trainSize: 400, batchSize: 8 };
const EPOCHS = 6;

/** Checkpoint files of a run: one per epoch, each intact, and no temporary file left over. */
function checkpointFiles(h: string, runId: string): string[] {
  const dir = path.join(h, 'runs', runId, 'checkpoints');
  const names = fs.readdirSync(dir).sort();
  for (const n of names) expect(verifyModelFile(path.join(dir, n)), n).toBeNull();
  return names;
}

const allEpochs = Array.from({ length: EPOCHS }, (_, i) => i + 1);

/** Checkpoint files in a run's folder, complete or not. */
function fileCount(h: string, runId: string): number {
  return fs.readdirSync(path.join(h, 'runs', runId, 'checkpoints')).length;
}

const expectedCheckpoints = Array.from({ length: EPOCHS }, (_, i) => `epoch-${String(i + 1).padStart(4, '0')}.ffrm`);

describe('fault scenarios: killed processes', () => {
  it('kill -9 of a trainer: the run fails with the signal, the host lives on, and the run resumes', async () => {
    const h = home();
    const app = createApp({ paths: homePaths(h), launcher: nodeTrainerLauncher() });
    try {
      const run = await app.runs.create({ config: { ...tinyConfigFull(), epochs: EPOCHS } });
      const outcome = app.runs.start(run.id);
      await within(() => epochsOfApp(app, run.id) >= 1, 'epoch 1', 60_000);
      const trainer = app.store.runLocks.holder(run.id)!.trainerPid!;
      process.kill(trainer, 'SIGKILL');
      expect(await outcome).toEqual({ runId: run.id, status: 'failed', error: 'The trainer process was killed by signal SIGKILL.' });
      await within(() => !app.jobs.isActive(run.id), 'the job to end', 10_000);
      expect(app.store.runLocks.holder(run.id)).toBeNull();
      expect((await app.runs.resume(run.id)).status).toBe('completed');
      expect(app.store.metrics.list(run.id).map((m) => m.epoch)).toEqual(allEpochs);
      expect(checkpointFiles(h, run.id)).toEqual(expectedCheckpoints);
    } finally {
      await app.close();
    }
  });

  it('kill -9 of `ffr train`: its trainer stops within seconds, another host is refused while it lives, then resumes the run', async () => {
    const h = home();
    const cli = start(h, tinyTrainFlags({ epochs: EPOCHS, ...RUN }));
    let runId: string | null = null;
    await within(() => (runId = onlyRunId(h)) !== null && epochsOf(h, runId).length >= 1, 'epoch 1 of the CLI run', 90_000);
    const trainer = trainerOf(h, runId!)!;
    pids.push(trainer);
    expect(alive(trainer)).toBe(true);

    // Another host on the same folder while the CLI trains: it may not train the run too, even if
    // it wrongly believed the run was free.
    const other = createApp({ paths: homePaths(h), launcher: nodeTrainerLauncher() });
    try {
      expect(() => other.runs.resume(runId!)).toThrow(`Run ${runId} is running; only a run that is interrupted, cancelled or failed can be resumed.`);
      other.store.db.prepare(`UPDATE runs SET status = 'interrupted' WHERE id = ?`).run(runId);
      expect(() => other.runs.resume(runId!)).toThrow(
        `Run "${runId}" is being trained by trainer process ${trainer} (started by host process ${cli.child.pid}); wait for it to stop, or cancel it where it was started.`,
      );
      other.store.db.prepare(`UPDATE runs SET status = 'running' WHERE id = ?`).run(runId);

      const atKill = fileCount(h, runId!);
      cli.child.kill('SIGKILL');
      await cli.exited;
      const stopped = await within(() => !alive(trainer), 'the orphaned trainer to stop', 10_000);
      process.stderr.write(`kill -9 of ffr train: its trainer stopped ${stopped} ms later\n`);
      expect(stopped).toBeLessThan(5_000);
      // It stopped instead of training on: at most the epoch in flight was finished.
      expect(fileCount(h, runId!)).toBeLessThanOrEqual(atKill + 1);

      // Resume in the other host: its run is recovered (the CLI is gone) and the stale lock taken over.
      expect((await other.runs.resume(runId!)).status).toBe('completed');
      expect(other.store.metrics.list(runId!).map((m) => m.epoch)).toEqual(allEpochs);
      expect(checkpointFiles(h, runId!)).toEqual(expectedCheckpoints);
    } finally {
      await other.close();
    }
  });

  it('kill -9 of `ffr serve`, then a restart: its trainer stops, the run is interrupted and resumes to the end', async () => {
    const h = home();
    const first = start(h, ['serve', '--port', '0', '--json']);
    const api = await apiOf(first);
    const run = await api('runs.create', { config: { ...tinyConfig({ epochs: EPOCHS, batchSize: RUN.batchSize }), dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: RUN.trainSize, testSize: 32 }, regularizer: 'none' } });
    const runId = (run as { id: string }).id;
    await within(() => epochsOf(h, runId).length >= 1, 'epoch 1 of the served run', 90_000);
    const trainer = trainerOf(h, runId)!;
    pids.push(trainer);
    const atKill = fileCount(h, runId);
    first.child.kill('SIGKILL');
    await first.exited;
    const stopped = await within(() => !alive(trainer), 'the orphaned trainer to stop', 10_000);
    process.stderr.write(`kill -9 of ffr serve: its trainer stopped ${stopped} ms later\n`);
    expect(stopped).toBeLessThan(5_000);
    expect(fileCount(h, runId)).toBeLessThanOrEqual(atKill + 1);
    expect(epochsOf(h, runId).length).toBeLessThan(EPOCHS);

    const second = start(h, ['serve', '--port', '0', '--json']);
    const api2 = await apiOf(second);
    expect(second.stderr()).toMatch(/1 run\(s\) left running by a previous session are now interrupted/);
    expect(((await api2('runs.get', { runId })) as { run: { status: string } }).run.status).toBe('interrupted');
    await api2('runs.resume', { runId });
    await within(() => peek(h, (db) => db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId)) === 'completed', 'the resumed run to complete', 90_000);
    expect(epochsOf(h, runId)).toEqual(allEpochs);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(checkpointFiles(h, runId)).toEqual(expectedCheckpoints);
  });

  it('Ctrl-C of `ffr train` cancels, and the command exits at once (not after the 15 s kill grace)', async () => {
    const h = home();
    const cli = start(h, tinyTrainFlags({ epochs: 200, ...RUN }));
    let runId: string | null = null;
    await within(() => (runId = onlyRunId(h)) !== null && trainerOf(h, runId) !== null && epochsOf(h, runId).length >= 1, 'the CLI run to train', 90_000);
    const trainer = trainerOf(h, runId!)!;
    pids.push(trainer);
    const sent = Date.now();
    cli.child.kill('SIGINT');
    const { code } = await cli.exited;
    const took = Date.now() - sent;
    process.stderr.write(`Ctrl-C of ffr train: exited ${took} ms after SIGINT\n`);
    expect(code, cli.stderr()).toBe(130);
    expect(took).toBeLessThan(10_000);
    expect(cli.stderr()).toMatch(/Cancelling…/);
    expect(alive(trainer)).toBe(false);
    const store = openStore(path.join(h, 'ffr.sqlite'), { recoverInterrupted: false });
    try {
      expect(store.runs.require(runId!).status).toBe('cancelled');
      expect(store.runLocks.holder(runId!)).toBeNull();
    } finally {
      store.close();
    }
  });
});

/** The same run as the CLI's, as a complete config (RunService below the dispatcher needs one). */
function tinyConfigFull(): Record<string, unknown> {
  return tinyRunConfig({
    batchSize: RUN.batchSize,
    regularizer: 'none',
    dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: RUN.trainSize, testSize: 32 },
  });
}

function epochsOfApp(app: ReturnType<typeof createApp>, runId: string): number {
  return app.store.metrics.list(runId).length;
}

/** The API of a started `ffr serve --json`: call(method, params) → result. */
async function apiOf(server: Running): Promise<(method: string, params: unknown) => Promise<unknown>> {
  await within(() => server.stdout().trim().endsWith('}'), '`ffr serve` to listen', 60_000);
  const { port, token } = JSON.parse(server.stdout()) as { port: number; token: string };
  return async (method, params) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
      method: 'POST',
      headers: { 'x-ffr-token': token, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const body = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (!res.ok) throw new Error(`${method}: ${body.error?.message ?? res.status}`);
    return body.result;
  };
}
