import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../shared/run-config';
import { StoreError } from '../errors';
import { ID_PATTERN } from '../ids';
import { epochRecord, metrics, snapshot } from '../testing/fixtures';
import { type TestStore, openTestStore } from '../testing/open';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

function newRun(name?: string) {
  const project = t.store.projects.getOrCreateDefault();
  return t.store.runs.create({ projectId: project.id, kind: 'train', config: defaultRunConfig(), ...(name ? { name } : {}) });
}

function count(table: string, runId: string): number {
  return (t.store.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(runId) as { n: number }).n;
}

describe('runs', () => {
  it('creates a queued run with a readable id, default name and the config stored verbatim', () => {
    const run = newRun();
    expect(run.id).toMatch(/^run-[0-9a-z]{6}$/);
    expect(run.id).toMatch(ID_PATTERN);
    expect(run).toMatchObject({
      kind: 'train',
      status: 'queued',
      name: 'lenet5-mnist-ffr',
      parentRunId: null,
      epochsDone: 0,
      notes: '',
      tags: [],
      modelInfo: null,
      startedAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(run.config).toEqual(defaultRunConfig());
    expect(t.store.runs.get(run.id)).toEqual(run);
  });

  it('names unknown ids and bad input in one sentence', () => {
    expect(t.store.runs.get('run-zzzzzz')).toBeNull();
    expect(() => t.store.runs.require('run-zzzzzz')).toThrow('Unknown run "run-zzzzzz".');
    expect(() => t.store.metrics.list('run-zzzzzz')).toThrow('Unknown run "run-zzzzzz".');
    expect(() =>
      t.store.runs.create({ projectId: 'prj-nope00', kind: 'train', config: defaultRunConfig() }),
    ).toThrow('Unknown project "prj-nope00".');
    expect(() =>
      t.store.runs.create({ projectId: null, kind: 'train', config: { ...defaultRunConfig(), epochs: 0 } }),
    ).toThrow(/^Invalid run: config\.epochs: /);
    expect(() => t.store.runs.create({ projectId: null, kind: 'finetune', config: defaultRunConfig() })).toThrow(
      /fine-tune run needs the run it continues/,
    );
  });

  it('goes through its lifecycle, accumulating duration over attempts', () => {
    const run = newRun();
    t.advance(1000);
    expect(t.store.runs.markRunning(run.id, { backend: 'cpu' })).toMatchObject({
      status: 'running',
      backend: 'cpu',
      startedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(() => t.store.runs.markRunning(run.id, { backend: 'cpu' })).toThrow(/already running/);
    t.advance(5000);
    const failed = t.store.runs.markFinished(run.id, 'failed', 'Out of memory.');
    expect(failed).toMatchObject({ status: 'failed', error: 'Out of memory.', durationMs: 5000 });
    expect(() => t.store.runs.markFinished(run.id, 'completed')).toThrow(
      `Run "${run.id}" is already failed; it cannot be marked completed.`,
    );
    t.advance(60_000);
    t.store.runs.markRunning(run.id, { backend: 'wasm' });
    t.advance(2000);
    const done = t.store.runs.markFinished(run.id, 'completed', 'ignored');
    expect(done).toMatchObject({ status: 'completed', error: null, durationMs: 7000, backend: 'wasm' });
    expect(done.finishedAt).toBe('2026-01-01T00:01:08.000Z');
  });

  it('lists with filters, newest first', () => {
    const a = newRun('a');
    t.advance(1);
    const b = newRun('b');
    t.advance(1);
    const child = t.store.runs.create({ projectId: a.projectId, parentRunId: a.id, kind: 'finetune', config: defaultRunConfig() });
    expect(child.name).toBe('a-finetune');
    t.store.runs.markRunning(b.id, { backend: 'cpu' });
    expect(t.store.runs.list().map((r) => r.name)).toEqual(['a-finetune', 'b', 'a']);
    expect(t.store.runs.list({ status: 'running' }).map((r) => r.id)).toEqual([b.id]);
    expect(t.store.runs.list({ status: ['queued', 'running'] })).toHaveLength(3);
    expect(t.store.runs.list({ parentRunId: a.id }).map((r) => r.id)).toEqual([child.id]);
    expect(t.store.runs.list({ parentRunId: null })).toHaveLength(2);
    expect(t.store.runs.list({ kind: 'finetune' })).toHaveLength(1);
    expect(t.store.runs.list({ projectId: 'prj-other0' })).toEqual([]);
  });

  it('updates notes, tags, name and model info', () => {
    const run = newRun();
    t.store.runs.setNotes(run.id, 'knee at 0.02');
    t.store.runs.setTags(run.id, [' ffr ', 'mnist', 'ffr']);
    t.store.runs.rename(run.id, 'baseline');
    t.store.runs.setModelInfo(run.id, { params: 61706, macs: 416520, widths: { conv1: 6, conv2: 16, fc1: 120 } });
    expect(t.store.runs.require(run.id)).toMatchObject({
      notes: 'knee at 0.02',
      tags: ['ffr', 'mnist'],
      name: 'baseline',
      modelInfo: { params: 61706, macs: 416520, widths: { conv1: 6, conv2: 16, fc1: 120 } },
    });
    expect(() => t.store.runs.rename(run.id, '  ')).toThrow(/^Invalid name of run/);
    expect(() => t.store.runs.setNotes('run-zzzzzz', 'x')).toThrow('Unknown run "run-zzzzzz".');
  });

  it('records an epoch in full and reads it back in order', () => {
    const run = newRun();
    t.store.runs.markRunning(run.id, { backend: 'cpu' });
    t.store.runs.recordEpoch(run.id, epochRecord(1));
    t.store.runs.recordEpoch(run.id, epochRecord(2, false));
    expect(t.store.runs.require(run.id).epochsDone).toBe(2);
    expect(t.store.metrics.list(run.id)).toEqual([metrics(1), metrics(2)]);
    expect(t.store.metrics.latest(run.id)).toEqual(metrics(2));
    const snaps = t.store.snapshots.list(run.id);
    expect(snaps.map((s) => `${s.epoch}:${s.layer}`)).toEqual(['1:conv1', '1:conv2', '1:fc1', '2:conv1', '2:conv2', '2:fc1']);
    expect(snaps[0]).toEqual({ epoch: 1, ...snapshot('conv1') });
    expect(snaps[2]).toMatchObject({ kind: 'dense', gamma: null, gammaSparsity: null });
    expect(t.store.snapshots.list(run.id, { epoch: 2 })).toHaveLength(3);
    expect(t.store.snapshots.list(run.id, { layer: 'conv2' }).map((s) => s.epoch)).toEqual([1, 2]);
    expect(t.store.snapshots.epochs(run.id)).toEqual([1, 2]);
    expect(t.store.checkpoints.list(run.id)).toEqual([
      { runId: run.id, epoch: 1, path: '/ckpt/epoch-1.bin', bytes: 1001, createdAt: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(t.store.checkpoints.latest(run.id)?.epoch).toBe(1);
  });

  it('re-recording an epoch replaces it rather than duplicating or failing', () => {
    const run = newRun();
    t.store.runs.recordEpoch(run.id, epochRecord(1));
    t.store.runs.recordEpoch(run.id, { metrics: metrics(1, { testAccuracy: 0.5 }), snapshots: [snapshot('conv1')] });
    expect(t.store.metrics.list(run.id)).toEqual([metrics(1, { testAccuracy: 0.5 })]);
    expect(t.store.snapshots.list(run.id).map((s) => s.layer)).toEqual(['conv1']);
    expect(t.store.checkpoints.list(run.id)).toEqual([]);
  });

  it('writes nothing of an epoch whose batch holds an invalid snapshot', () => {
    const run = newRun();
    const bad = epochRecord(1);
    // A NaN sparsity, as a broken measurement would produce.
    bad.snapshots[1] = snapshot('conv2', { structuredSparsity: Number.NaN });
    let error: unknown;
    try {
      t.store.runs.recordEpoch(run.id, bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Invalid epoch record for run "${run.id}": snapshots\\[1\\]\\.structuredSparsity: `),
    );
    expect(count('metrics', run.id)).toBe(0);
    expect(count('layer_snapshots', run.id)).toBe(0);
    expect(count('checkpoints', run.id)).toBe(0);
    expect(t.store.runs.require(run.id).epochsDone).toBe(0);

    const twice = epochRecord(1);
    twice.snapshots.push(snapshot('conv1'));
    expect(() => t.store.runs.recordEpoch(run.id, twice)).toThrow(/layer "conv1" appears twice in epoch 1/);
    expect(count('metrics', run.id)).toBe(0);
  });

  it('rolls the whole epoch back when a write fails inside the transaction', () => {
    const run = newRun();
    t.store.runs.recordEpoch(run.id, epochRecord(1));
    // Make the last write of the batch (the checkpoint row) fail at the database level.
    t.store.db.exec(`CREATE TEMP TRIGGER fail_checkpoint BEFORE INSERT ON checkpoints
                     BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
    expect(() => t.store.runs.recordEpoch(run.id, epochRecord(2))).toThrow('disk full (simulated)');
    expect(t.store.metrics.list(run.id).map((m) => m.epoch)).toEqual([1]);
    expect(t.store.snapshots.epochs(run.id)).toEqual([1]);
    expect(t.store.runs.require(run.id).epochsDone).toBe(1);
    // Epoch 1, re-recorded into the same failure, keeps its previous rows too.
    expect(() => t.store.runs.recordEpoch(run.id, epochRecord(1))).toThrow('disk full (simulated)');
    expect(t.store.checkpoints.list(run.id).map((c) => c.epoch)).toEqual([1]);
    expect(count('layer_snapshots', run.id)).toBe(3);
  });

  it('resets to an epoch for resume, returning the checkpoints it forgot', () => {
    const run = newRun();
    for (let e = 1; e <= 4; e++) t.store.runs.recordEpoch(run.id, epochRecord(e));
    const removed = t.store.resetToEpoch(run.id, 2);
    expect(removed.map((c) => c.path)).toEqual(['/ckpt/epoch-3.bin', '/ckpt/epoch-4.bin']);
    expect(t.store.metrics.list(run.id).map((m) => m.epoch)).toEqual([1, 2]);
    expect(t.store.snapshots.epochs(run.id)).toEqual([1, 2]);
    expect(t.store.checkpoints.latest(run.id)?.epoch).toBe(2);
    expect(t.store.runs.require(run.id).epochsDone).toBe(2);
    expect(t.store.checkpoints.deleteAfter(run.id, 1).map((c) => c.epoch)).toEqual([2]);
    expect(() => t.store.resetToEpoch(run.id, -1)).toThrow(/^Invalid epoch to reset run/);
    expect(() => t.store.resetToEpoch('run-zzzzzz', 1)).toThrow('Unknown run "run-zzzzzz".');
  });

  it('deletes a run with its descendants and everything they own, returning their files', () => {
    const parent = newRun('parent');
    t.store.runs.recordEpoch(parent.id, epochRecord(1));
    const prune = t.store.prunes.create({ sourceRunId: parent.id, options: { ratio: 0.5 }, report: {}, modelPath: '/m/pruned.bin' });
    const child = t.store.runs.create({ projectId: parent.projectId, parentRunId: parent.id, kind: 'finetune', config: defaultRunConfig() });
    t.store.prunes.setChildRun(prune.id, child.id);
    t.store.runs.recordEpoch(child.id, epochRecord(1));
    t.store.exports.create({ pruneId: prune.id, format: 'onnx', dir: '/e/onnx', files: ['model.onnx'], params: 1, macs: 1, verified: true, maxAbsDiff: 1e-6, report: {} });
    t.store.sweeps.create({ sourceRunId: parent.id, options: {}, points: [{ ratio: 0.1, accuracy: 0.9 }] });
    const other = newRun('other');
    t.store.runs.recordEpoch(other.id, epochRecord(1));

    t.store.runs.markRunning(child.id, { backend: 'cpu' });
    expect(() => t.store.runs.delete(parent.id)).toThrow(`Run "${parent.id}" has a running fine-tune run ("${child.id}"); cancel it before deleting.`);
    t.store.runs.markFinished(child.id, 'cancelled');

    const deletion = t.store.runs.delete(parent.id);
    expect(deletion.runIds.sort()).toEqual([parent.id, child.id].sort());
    expect(deletion.paths).toEqual(['/ckpt/epoch-1.bin', '/e/onnx', '/m/pruned.bin']);
    expect(t.store.runs.get(child.id)).toBeNull();
    for (const table of ['metrics', 'layer_snapshots', 'checkpoints']) {
      expect(count(table, parent.id) + count(table, child.id)).toBe(0);
      expect(count(table, other.id)).toBeGreaterThan(0);
    }
    for (const table of ['prunes', 'sweeps', 'exports']) {
      expect(t.store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    expect(() => t.store.runs.delete(parent.id)).toThrow(`Unknown run "${parent.id}".`);
  });

  it('reads a config stored before runs held only their regularizer\'s weights in the current shape', () => {
    const run = newRun();
    const { ffr, ...common } = defaultRunConfig() as ReturnType<typeof defaultRunConfig> & { ffr: unknown };
    const old = { ...common, regularizer: 'none', ffr, lambda: 1e-4 };
    t.store.db.prepare('UPDATE runs SET config = ? WHERE id = ?').run(JSON.stringify(old), run.id);
    expect(t.store.runs.require(run.id).config).toEqual(defaultRunConfig({ regularizer: 'none' }));
  });

  it('reports a corrupted JSON column with the run and column named', () => {
    const run = newRun();
    t.store.db.prepare("UPDATE runs SET config = '{\"model\":\"alexnet\"}' WHERE id = ?").run(run.id);
    expect(() => t.store.runs.require(run.id)).toThrow(new RegExp(`^The stored config of run "${run.id}" is not valid: `));
  });
});
