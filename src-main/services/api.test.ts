/**
 * The dispatcher over a real temporary store and real trainer processes (tiny synthetic data, an MLP
 * on the cpu backend): params validation, every domain, and the event bridge during a run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_GRID_SAMPLES, type EventFrame } from '../shared/contract';
import { writeImageFolderFixture } from '../catalog/datasets/testing/fixtures';
import { createApi, type Api } from './api';
import { testApp, tinyConfig, waitFor, type TestApp } from './testing/host';

describe('api dispatcher', () => {
  let app: TestApp;
  let api: Api;
  const frames: EventFrame[] = [];

  beforeAll(() => {
    app = testApp();
    api = createApi(app, {
      shell: 'test',
      backendStatuses: async () => [{ name: 'cpu', available: true, detail: 'test' }],
    });
    api.subscribe((f) => frames.push(f));
  });
  afterAll(async () => {
    api.dispose();
    await app.cleanup();
  });

  it('refuses unknown methods and bad params with one clear sentence', async () => {
    expect(await api.dispatch('runs.explode', {})).toEqual({
      ok: false,
      error: { code: 'unknown-method', message: 'There is no method "runs.explode" in the workbench API.' },
    });
    const bad = await api.dispatch('projects.rename', { projectId: 'p', name: 42 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid-params');
      expect(bad.error.message).toMatch(/^Invalid param "name" for projects\.rename: .+\.$/);
    }
    const missing = await api.dispatch('runs.get', { runId: 'run_nope' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('reports app info', async () => {
    const info = await api.call('app.info', {});
    expect(info.shell).toBe('test');
    expect(info.home).toBe(app.paths.home);
    expect(info.selectedBackend).toBe('cpu');
    expect(info.versions.node).toBe(process.versions.node);
  });

  it('app info: auto passes a software WebGPU adapter by, as the trainer does', async () => {
    const adapter = {
      dawnBackend: 'opengles',
      featureLevel: 'compatibility' as const,
      vendor: '',
      architecture: '',
      device: 'llvmpipe',
      description: 'OpenGL ES 3.2 Mesa',
      software: true,
      limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 27 },
    };
    const gpu = createApi(app, {
      shell: 'test',
      backendStatuses: async () => [
        { name: 'webgpu', available: true, software: true, adapter, adapters: [adapter] },
        { name: 'wasm', available: true },
      ],
    });
    try {
      const info = await gpu.call('app.info', {});
      expect(info.selectedBackend).toBe('wasm');
      expect(info.backends[0]).toMatchObject({ name: 'webgpu', software: true, adapters: [{ device: 'llvmpipe' }] });
    } finally {
      gpu.dispose();
    }
  });

  it('creates, renames, lists and deletes projects', async () => {
    const p = await api.call('projects.create', { name: 'Pruning study' });
    expect((await api.call('projects.rename', { projectId: p.id, name: 'Study' })).name).toBe('Study');
    const dup = await api.dispatch('projects.create', { name: 'study' });
    expect(dup).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await api.call('projects.list', {})).map((x) => x.name)).toContain('Study');
    expect(await api.call('projects.delete', { projectId: p.id })).toEqual({ projectId: p.id, runIds: [] });
  });

  it('lists the bundled datasets from the catalog, with what they load as', async () => {
    const before = app.launches;
    const list = await api.call('datasets.list', {});
    expect(list.map((d) => d.id)).toEqual(['builtin:mnist', 'builtin:synthetic']);
    const synthetic = list[1]!;
    // The label says what the entry trains on, and its ref carries exactly that.
    expect(synthetic.name).toBe('Synthetic (28×28×1, 10 classes)');
    expect(synthetic.ref).toEqual({ name: 'synthetic', shape: [28, 28, 1], classes: 10, trainSize: 512, testSize: 128 });
    expect(app.launches).toBe(before); // no trainer, no data read
    const d = await api.call('datasets.describe', { datasetId: 'builtin:synthetic' });
    // The listed training count is the whole split; a description holds the default validation share out of it.
    expect(d).toMatchObject({ shape: synthetic.shape, classes: synthetic.classes, train: synthetic.trainCount - 51, val: 51, test: synthetic.testCount });
    expect(d.classCounts.train.reduce((a, b) => a + b, 0)).toBe(d.train);
  });

  it('reads a dataset once per action, in a trainer: describe and samples together, an import and its grid', async () => {
    let before = app.launches;
    const { description, samples } = await api.call('datasets.inspect', { datasetId: 'builtin:mnist', perClass: 2, scale: 1 });
    expect([description.train, description.val, description.test]).toEqual([7200, 800, 2000]);
    expect(samples.samples).toHaveLength(20);
    expect(samples.samples[0]!.dataUrl).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(app.launches - before).toBe(1);
    // The same dataset again: answered from that read.
    await api.call('datasets.describe', { datasetId: 'builtin:mnist' });
    await api.call('datasets.samples', { datasetId: 'builtin:mnist', perClass: 2, scale: 1 });
    expect(app.launches - before).toBe(1);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-api-folder-'));
    try {
      writeImageFolderFixture(dir, { classes: ['cat', 'dog'], perClass: 5, size: [6, 6] });
      before = app.launches;
      const entry = await api.call('datasets.register', { kind: 'folder', dataDir: dir });
      expect(entry).toMatchObject({ classes: 2, classNames: ['cat', 'dog'], trainCount: 8, testCount: 2, augmentable: true });
      const grid = await api.call('datasets.inspect', { datasetId: entry.id, ...DATASET_GRID_SAMPLES });
      // 4 training images of each class, fewer than 6, less the one image the default validation share holds out.
      expect(grid.samples.samples).toHaveLength(7);
      expect(app.launches - before).toBe(1);
      await api.call('datasets.delete', { datasetId: entry.id });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const bad = await api.dispatch('datasets.register', { kind: 'folder', dataDir: '/nonexistent/ffr-images' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'Image folder /nonexistent/ffr-images does not exist or is not a folder.' } });
    expect(await api.call('datasets.list', {})).toHaveLength(2); // nothing left behind
  });

  it('validates configs field by field, merging the form over the defaults', async () => {
    const v = await api.call('runs.validateConfig', { config: { epochs: 0, ffr: { lambdaLength: -1 } } });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(Object.keys(v.errors).sort()).toEqual(['epochs', 'ffr.lambdaLength']);
    const wrongData = await api.call('runs.validateConfig', { config: tinyConfig({ model: 'lenet5' }) });
    expect(wrongData).toMatchObject({ ok: false, errors: { model: expect.stringMatching(/^Model lenet5 cannot run on synthetic/) } });
    const zero = await api.call('runs.validateConfig', { config: tinyConfig({ ffr: { align: 'stage' } }) });
    expect(zero).toMatchObject({ ok: false, errors: { 'ffr.align': expect.stringMatching(/^FFR alignment "stage" .* mlp has none .*choose another --align\.$/) } });
    const noWeight = await api.call('runs.validateConfig', { config: tinyConfig({ ffr: { lambdaLength: 0, lambdaCurvature: 0 } }) });
    expect(noWeight).toMatchObject({ ok: false, errors: { 'ffr.lambdaLength': expect.stringMatching(/^FFR with λ_len = 0 and λ_curv = 0 adds nothing/) } });
    const refusedZero = await api.dispatch('runs.create', { config: tinyConfig({ ffr: { align: 'shortcut' } }) });
    expect(refusedZero).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^FFR alignment "shortcut" compares only taps joined by an identity shortcut/) } });
    const ok = await api.call('runs.validateConfig', { config: tinyConfig() });
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.config.lr).toBe(0.01); // the MLP's default rate, not the BN networks'
    const refused = await api.dispatch('runs.create', { config: tinyConfig({ batchSize: 0 }) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/batchSize/) } });
    expect(await api.call('runs.list', {})).toHaveLength(0);
  });

  it('a refused run writes no row at all: no run, and no project for it', async () => {
    const projects = (await api.call('projects.list', {})).length;
    const missing = { name: 'folder', dataDir: '/nonexistent/ffr-images' };
    const refused = await api.dispatch('runs.create', { config: tinyConfig({ dataset: missing }) });
    expect(refused).toEqual({ ok: false, error: { code: 'invalid-input', message: 'Image folder /nonexistent/ffr-images does not exist or is not a folder.' } });
    // Without a project the run would have gone to "Default", created on the way: it was not.
    expect(await api.call('projects.list', {})).toHaveLength(projects);
    const p = await api.call('projects.create', { name: 'Refusals' });
    expect(await api.dispatch('runs.create', { projectId: p.id, config: tinyConfig({ dataset: missing }) })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await api.call('runs.list', {})).toHaveLength(0);
    await api.call('projects.delete', { projectId: p.id });
  });

  it('checks a run against its data by the header: a Start-run click starts one trainer, nothing else', async () => {
    const before = app.launches;
    const config = tinyConfig({ epochs: 1 });
    expect((await api.call('runs.validateConfig', { config })).ok).toBe(true);
    const run = await api.call('runs.create', { config });
    await waitFor(() => app.store.runs.require(run.id).status === 'completed' && !app.jobs.isActive(run.id), 'the run to complete');
    expect(app.launches - before).toBe(1);
    await api.call('runs.delete', { runId: run.id });
  });

  it('trains a run to completion with live events, then edits, duplicates, compares and deletes', async () => {
    const project = await api.call('projects.create', { name: 'Runs' });
    const run = await api.call('runs.create', { projectId: project.id, name: 'ffr', config: tinyConfig() });
    expect(run.status).toBe('queued');
    await waitFor(() => frames.some((f) => f.event === 'run-status' && (f.payload as { runId: string; status: string }).runId === run.id && (f.payload as { status: string }).status === 'completed'), 'the run to complete');

    const mine = frames.filter((f) => (f.payload as { runId?: string }).runId === run.id);
    const statuses = mine.filter((f) => f.event === 'run-status').map((f) => (f.payload as { status: string }).status);
    expect(statuses).toEqual(['queued', 'queued', 'running', 'completed']);
    expect(mine.some((f) => f.event === 'run-progress')).toBe(true);
    const epochs = mine.filter((f) => f.event === 'run-epoch').map((f) => f.payload as { metrics: { epoch: number }; snapshots: unknown[] });
    expect(epochs.map((e) => e.metrics.epoch)).toEqual([1, 2]);
    expect(epochs[0]!.snapshots.length).toBeGreaterThan(0);

    const details = await api.call('runs.get', { runId: run.id });
    expect(details.run.status).toBe('completed');
    expect(details.metrics).toHaveLength(2);

    // Step scalars: live as events, then stored with their epochs. 64 images in batches of 16 make
    // 4 steps an epoch, each recorded (small epochs record every step).
    const streamed = mine.filter((f) => f.event === 'run-steps').flatMap((f) => (f.payload as { rows: Array<{ step: number }> }).rows.map((r) => r.step));
    expect(streamed).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const steps = await api.call('runs.steps', { runId: run.id });
    expect(steps).toMatchObject({ total: 8, next: null, downsampled: false });
    expect(steps.rows.map((r) => [r.step, r.epoch, r.window])).toEqual([[1, 1, 1], [2, 1, 1], [3, 1, 1], [4, 1, 1], [5, 2, 1], [6, 2, 1], [7, 2, 1], [8, 2, 1]]);
    for (const r of steps.rows) {
      expect(r.loss).toBeGreaterThan(0);
      expect(r.crossEntropy).toBeLessThanOrEqual(r.loss + 1e-6);
      expect(r.stepMs).toBeGreaterThan(0);
      expect(r.rssBytes).toBeGreaterThan(10e6);
      expect(r.tensorBytes).toBeGreaterThan(0);
    }
    expect(details.steps).toEqual({ count: 8, first: 1, last: 8 });
    const page = await api.call('runs.steps', { runId: run.id, limit: 3, afterStep: 3 });
    expect(page.rows.map((r) => r.step)).toEqual([4, 5, 6]);
    expect(page.next).toBe(6);
    // The run's log, kept: what the trainer and the host said.
    const logs = await api.call('runs.logs', { runId: run.id });
    expect(logs.lines.map((l) => l.message)).toEqual(['Training on the cpu backend.', 'Completed.']);
    expect(logs.lines.map((l) => l.seq)).toEqual([1, 2]);
    // Bounded first read: the latest epoch's snapshots only, and the grid for the heatmap.
    expect([...new Set(details.snapshots.map((x) => x.epoch))]).toEqual([2]);
    expect(details.sparsity.epochs).toEqual([1, 2]);
    expect(details.sparsity.layers.map((l) => l.name)).toEqual(['fc1', 'fc2']);
    const first = await api.call('runs.snapshots', { runId: run.id, epoch: 1 });
    expect(first.map((x) => [x.layer, x.epoch])).toEqual([['fc1', 1], ['fc2', 1]]);
    expect(details.sparsity.structured.map((row) => row[0])).toEqual(first.map((x) => x.structuredSparsity));
    const history = await api.call('runs.snapshots', { runId: run.id, layers: ['fc2'], fromEpoch: 1 });
    expect(history.map((x) => [x.layer, x.epoch])).toEqual([['fc2', 1], ['fc2', 2]]);
    expect((await api.call('runs.setNotes', { runId: run.id, notes: 'baseline' })).notes).toBe('baseline');
    expect((await api.call('runs.setTags', { runId: run.id, tags: ['ffr', 'tiny'] })).tags).toEqual(['ffr', 'tiny']);

    const copy = await api.call('runs.duplicate', { runId: run.id, config: { regularizer: 'none' } });
    expect(copy.name).toBe('ffr (copy)');
    expect(copy.projectId).toBe(project.id);
    await waitFor(() => app.store.runs.require(copy.id).status === 'completed' && !app.jobs.isActive(copy.id), 'the copy to complete');
    const cmp = await api.call('runs.compare', { runIds: [run.id, copy.id] });
    // Each run holds only the weights its regularizer uses: FFR's options, none for `none`.
    expect(Object.keys(cmp.configDiff)).toEqual(['ffr.align', 'ffr.curvature', 'ffr.lambdaCurvature', 'ffr.lambdaLength', 'ffr.norm', 'regularizer']);
    expect(cmp.configs[1]).not.toHaveProperty('lambda');
    expect(cmp.runs[0]!.final).not.toBeNull();

    const del = await api.call('projects.delete', { projectId: project.id });
    expect(del.runIds.sort()).toEqual([run.id, copy.id].sort());
    expect(await api.call('runs.list', {})).toHaveLength(0);
  });

  it('refuses to delete a run that is queued or running', async () => {
    const run = await api.call('runs.create', { config: tinyConfig({ epochs: 50 }) });
    const refused = await api.dispatch('runs.delete', { runId: run.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await api.call('runs.cancel', { runId: run.id })).toEqual({ runId: run.id, cancelled: true });
    await waitFor(() => app.store.runs.require(run.id).status === 'cancelled' && !app.jobs.isActive(run.id), 'the run to be cancelled');
    expect((await api.call('runs.delete', { runId: run.id })).runIds).toEqual([run.id]);
  });

  it('sweeps, prunes with a fine-tune child, and exports a completed run', async () => {
    const run = await api.call('runs.create', { config: tinyConfig({ epochs: 1 }) });
    await waitFor(() => app.store.runs.require(run.id).status === 'completed' && !app.jobs.isActive(run.id), 'the run to complete');
    const sweep = await api.call('prune.sweep', {
      runId: run.id,
      options: { criterion: 'l2', scope: 'layer', aggregate: 'max', minChannels: 1, ratios: [0, 0.5], valLimit: 32 },
    });
    expect(sweep.points).toHaveLength(2);
    expect((await api.call('prune.sweeps', { runId: run.id })).map((s) => s.sweepId)).toEqual([sweep.sweepId]);
    const { prune, child } = await api.call('prune.run', {
      runId: run.id,
      options: { selection: { criterion: 'l2', scope: 'layer', ratio: 0.5, aggregate: 'max', minChannels: 1 }, finetuneEpochs: 1 },
    });
    expect(prune.params.after).toBeLessThan(prune.params.before);
    expect(child?.kind).toBe('finetune');
    // The fine-tune is queued or running: the source run cannot be deleted from under it.
    const busy = await api.dispatch('runs.delete', { runId: run.id });
    expect(busy).toMatchObject({ ok: false, error: { message: `Run ${run.id} has a queued or running fine-tune run (${child!.id}); cancel it first.` } });
    await waitFor(() => app.store.runs.require(child!.id).status === 'completed' && !app.jobs.isActive(child!.id), 'the fine-tune to complete');
    expect((await api.call('prune.get', { pruneId: prune.pruneId })).accuracy.finetuned).not.toBeNull();
    const exp = await api.call('export.run', { target: prune.pruneId, format: 'tfjs' });
    expect(exp.verified).toBe(true);
    expect((await api.call('export.list', { pruneId: prune.pruneId })).map((e) => e.id)).toEqual([exp.exportId]);
    const refused = await api.dispatch('prune.run', { runId: run.id, options: { selection: { criterion: 'l2', scope: 'layer', ratio: 2, aggregate: 'max' }, finetuneEpochs: 0 } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-params' } });

    // Deleting the run removes the files in the data directory, but an export the user wrote to a
    // folder of their own stays theirs.
    const mine = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-user-export-'));
    try {
      const own = await api.call('export.run', { target: prune.pruneId, format: 'tfjs', outDir: path.join(mine, 'model') });
      expect(own.verified).toBe(true);
      const deleted = await api.call('runs.delete', { runId: run.id });
      expect(deleted.runIds.sort()).toEqual([run.id, child!.id].sort());
      expect(fs.existsSync(exp.dir)).toBe(false);
      expect(fs.existsSync(path.join(mine, 'model', 'model.json'))).toBe(true);
    } finally {
      fs.rmSync(mine, { recursive: true, force: true });
    }
  });
});
