/**
 * Starting and resuming runs across host restarts, with real trainer processes and a real store:
 * a fine-tune resumed by a new host still trains its pruned model; resume skips damaged checkpoints
 * and deletes the files it drops; a resume that fails replaces the run's old error; a data directory
 * moved elsewhere keeps every run usable (resume, prune, fine-tune, export).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeCifar10Fixture } from '../catalog/datasets/testing/fixtures';
import { totalCost } from '../catalog/models/spec';
import { readModelFile } from '../catalog/models/model-file';
import { createApp, type App } from './app';
import { homePaths, type HomePaths } from './home';
import { nodeTrainerLauncher } from './trainer-launcher';
import { tempPaths, tinyRunConfig, waitFor } from './testing/host';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A host over `paths` (a new one for the same folder is a host restart); closed after the test. */
function host(paths: HomePaths, env?: Record<string, string>): App {
  const app = createApp({ paths, launcher: nodeTrainerLauncher(env ? { env } : {}) });
  let closed = false;
  const close = app.close.bind(app);
  app.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanups.push(() => app.close());
  return app;
}

function tempHome(): HomePaths {
  const paths = tempPaths();
  cleanups.push(() => fs.rmSync(paths.home, { recursive: true, force: true }));
  return paths;
}

const PRUNE = { selection: { criterion: 'l2', scope: 'layer', ratio: 0.5, aggregate: 'max', minChannels: 1 }, finetuneEpochs: 1 };

describe('run service across host restarts', () => {
  it('resumes a fine-tune cancelled before its first epoch from the pruned model, not the full network', async () => {
    const paths = tempHome();
    const first = host(paths);
    const source = await first.runs.create({ config: tinyRunConfig({ epochs: 1, regularizer: 'none' }) });
    expect((await first.runs.start(source.id)).status).toBe('completed');
    const { prune } = await first.prunes.prune(source.id, { ...PRUNE, finetuneEpochs: 0 });
    const pruned = (prune.report as { params: { before: number; after: number } }).params;
    expect(pruned.after).toBeLessThan(pruned.before);
    // The fine-tune, as PruneService creates it, but with many small steps per epoch so that it can
    // be cancelled inside epoch 1.
    const child = await first.runs.create({
      parentRunId: source.id,
      kind: 'finetune',
      config: tinyRunConfig({ epochs: 1, batchSize: 4, regularizer: 'none', dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 800, testSize: 32 } }),
      startModel: prune.modelPath,
    });
    let stepped = false;
    first.jobs.on('run-progress', (p) => {
      if (p.runId === child.id) stepped = true;
    });
    const outcome = first.runs.start(child.id);
    await waitFor(() => stepped, 'the fine-tune to train');
    first.runs.cancel(child.id);
    expect((await outcome).status).toBe('cancelled');
    expect(first.store.runs.require(child.id).epochsDone).toBe(0);
    expect(first.store.checkpoints.latest(child.id)).toBeNull();
    await first.close();

    // A new host (nothing of the first one's memory) resumes it.
    const second = host(paths);
    expect((await second.runs.resume(child.id)).status).toBe('completed');
    const resumed = second.store.runs.require(child.id);
    expect(resumed.modelInfo?.params).toBe(pruned.after);
    const checkpoint = readModelFile(second.store.checkpoints.latest(child.id)!.path);
    expect(totalCost(checkpoint.spec).params).toBe(pruned.after);
  });

  it('resumes from the newest intact checkpoint, says which file was damaged, and deletes the checkpoints it drops', async () => {
    const paths = tempHome();
    const crashing = host(paths, { FFR_TRAINER_CRASH_AFTER_EPOCH: '2' });
    const run = await crashing.runs.create({ config: tinyRunConfig({ epochs: 3 }) });
    expect((await crashing.runs.start(run.id)).status).toBe('failed');
    const [one, two] = crashing.store.checkpoints.list(run.id);
    expect([one?.epoch, two?.epoch]).toEqual([1, 2]);
    // Damage the newest checkpoint: one changed byte in its weights.
    const bytes = fs.readFileSync(two!.path);
    bytes[bytes.length - 64]! ^= 0xff;
    fs.writeFileSync(two!.path, bytes);
    await crashing.close();

    const app = host(paths);
    const warnings: string[] = [];
    app.jobs.on('log', (l) => {
      if (l.runId === run.id && l.level === 'warn') warnings.push(l.message);
    });
    const outcome = app.runs.resume(run.id);
    // Dropped before the trainer starts: the damaged epoch-2 checkpoint, row and file.
    expect(fs.existsSync(two!.path)).toBe(false);
    expect(app.store.checkpoints.list(run.id).map((c) => c.epoch)).toEqual([1]);
    expect(warnings).toEqual([
      `Model file ${two!.path} is damaged: its checksum does not match its contents (the file was cut short or changed after it was written).`,
      `Run ${run.id} resumes from its checkpoint of epoch 1.`,
    ]);
    expect((await outcome).status).toBe('completed');
    expect(app.store.metrics.list(run.id).map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(app.store.checkpoints.list(run.id).map((c) => c.epoch)).toEqual([1, 2, 3]);
  });

  it('refuses to resume a run none of whose checkpoints is intact, and drops nothing', async () => {
    const app = host(tempHome());
    const run = await app.runs.create({ config: tinyRunConfig({ epochs: 3 }) });
    app.store.runs.markRunning(run.id, { backend: 'cpu' });
    const file = path.join(app.paths.runsDir, run.id, 'checkpoints', 'epoch-0001.ffrm');
    app.store.runs.recordEpoch(run.id, { metrics: { epoch: 1, trainLoss: 1, trainCrossEntropy: 1, trainAccuracy: 0.5, valLoss: null, valAccuracy: null, testLoss: 1, testAccuracy: 0.5, ffrLength: 0, ffrCurvature: 0, regLoss: 0, lr: 0.1, seconds: 1 }, snapshots: [], checkpoint: { path: file, bytes: 10 } });
    app.store.runs.markFinished(run.id, 'failed', 'The trainer process exited with code 3 before finishing.');
    expect(() => app.runs.resume(run.id)).toThrow(
      `Run ${run.id} cannot be resumed: none of its 1 checkpoint(s) is intact (Model file ${file} cannot be read: it does not exist); restore the files, or duplicate the run to train it again.`,
    );
    expect(app.store.metrics.list(run.id).map((m) => m.epoch)).toEqual([1]);
    expect(app.store.checkpoints.list(run.id)).toHaveLength(1);
  });

  it('a resume that fails replaces the error of the attempt before', async () => {
    const paths = tempHome();
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-cifar-'));
    cleanups.push(() => fs.rmSync(data, { recursive: true, force: true }));
    writeCifar10Fixture(data, { perBatch: 20 });
    const crashing = host(paths, { FFR_TRAINER_CRASH_AFTER_EPOCH: '1' });
    const run = await crashing.runs.create({ config: tinyRunConfig({ epochs: 2, width: 0.1, regularizer: 'none', dataset: { name: 'cifar10', dataDir: data } }) });
    const crashed = await crashing.runs.start(run.id);
    expect(crashed.error).toMatch(/^The trainer process exited with code 3/);
    await crashing.close();

    // The data moved away meanwhile: the resumed trainer fails before it starts training.
    fs.rmSync(path.join(data, 'data_batch_2.bin'));
    const app = host(paths);
    const outcome = await app.runs.resume(run.id);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/data_batch_2\.bin/);
    const stored = app.store.runs.require(run.id);
    expect(stored.status).toBe('failed');
    expect(stored.error).toBe(outcome.error);
  });

  it('keeps every run usable when the data directory is moved: resume, prune, fine-tune, export', async () => {
    const before = tempHome();
    const crashing = host(before, { FFR_TRAINER_CRASH_AFTER_EPOCH: '1' });
    const run = await crashing.runs.create({ config: tinyRunConfig({ epochs: 2 }) });
    expect((await crashing.runs.start(run.id)).status).toBe('failed');
    await crashing.close();

    const moved = homePaths(`${before.home}-moved`);
    fs.renameSync(before.home, moved.home);
    cleanups.push(() => fs.rmSync(moved.home, { recursive: true, force: true }));
    const app = host(moved);
    const raw = (sql: string): string[] => app.store.db.prepare(sql).pluck().all() as string[];
    expect(raw('SELECT path FROM checkpoints')).toEqual([`runs/${run.id}/checkpoints/epoch-0001.ffrm`]);
    expect((await app.runs.resume(run.id)).status).toBe('completed');
    for (const c of app.store.checkpoints.list(run.id)) expect(c.path.startsWith(`${moved.home}${path.sep}`)).toBe(true);

    const { prune, child } = await app.prunes.prune(run.id, PRUNE);
    expect(prune.modelPath.startsWith(`${moved.home}${path.sep}`)).toBe(true);
    expect((await app.runs.start(child!.id)).status).toBe('completed');
    const exported = await app.exports.export({ target: prune.id, format: 'onnx', outDir: path.join(moved.exportsDir, 'pruned') });
    expect(exported.verified).toBe(true);
    expect(raw('SELECT dir FROM exports')).toEqual(['exports/pruned']);
    expect(raw('SELECT model_path FROM prunes')).toEqual([path.relative(moved.home, prune.modelPath).split(path.sep).join('/')]);
    expect(raw('SELECT start_model FROM runs WHERE start_model IS NOT NULL')).toEqual(raw('SELECT model_path FROM prunes'));
  });
});
