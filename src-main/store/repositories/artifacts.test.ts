import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../shared/run-config';
import { type TestStore, openTestStore } from '../testing/open';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

function newRun() {
  return t.store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() });
}

describe('prunes, sweeps and exports', () => {
  it('stores a prune, links its fine-tune run, and sets the link NULL when that run is deleted', () => {
    const source = newRun();
    const prune = t.store.prunes.create({
      sourceRunId: source.id,
      options: { importance: 'activity', ratio: 0.5 },
      report: { paramsBefore: 100, paramsAfter: 40 },
      modelPath: '/models/p.bin',
    });
    expect(prune.id).toMatch(/^prn-[0-9a-z]{6}$/);
    expect(prune).toMatchObject({ sourceRunId: source.id, childRunId: null, options: { ratio: 0.5 } });
    // A fine-tune run that is not a child of the source (e.g. started in another project) still links.
    const finetune = t.store.runs.create({ projectId: null, parentRunId: source.id, kind: 'finetune', config: defaultRunConfig() });
    expect(t.store.prunes.setChildRun(prune.id, finetune.id).childRunId).toBe(finetune.id);
    t.store.runs.delete(finetune.id);
    expect(t.store.prunes.require(prune.id).childRunId).toBeNull();
    expect(t.store.prunes.listBySource(source.id).map((p) => p.id)).toEqual([prune.id]);
    expect(() => t.store.prunes.require('prn-zzzzzz')).toThrow('Unknown prune "prn-zzzzzz".');
    expect(() => t.store.prunes.create({ sourceRunId: 'run-zzzzzz', options: {}, report: {}, modelPath: '/x' })).toThrow(
      'Unknown run "run-zzzzzz".',
    );
    expect(() => t.store.prunes.create({ sourceRunId: source.id, options: [] as unknown as Record<string, unknown>, report: {}, modelPath: '/x' })).toThrow(
      /^Invalid prune: options: /,
    );
  });

  it('stores sweeps newest first', () => {
    const source = newRun();
    const s1 = t.store.sweeps.create({ sourceRunId: source.id, options: { ratios: [0.1, 0.5] }, points: [{ ratio: 0.1, accuracy: 0.98 }] });
    t.advance(10);
    const s2 = t.store.sweeps.create({ sourceRunId: source.id, options: {}, points: [] });
    expect(s1.id).toMatch(/^swp-[0-9a-z]{6}$/);
    expect(t.store.sweeps.listBySource(source.id).map((s) => s.id)).toEqual([s2.id, s1.id]);
    expect(t.store.sweeps.require(s1.id).points).toEqual([{ ratio: 0.1, accuracy: 0.98 }]);
    expect(t.store.sweeps.delete(s1.id).id).toBe(s1.id);
    expect(t.store.sweeps.get(s1.id)).toBeNull();
  });

  it('stores exports of a run and of its prunes, and needs one of the two', () => {
    const source = newRun();
    const prune = t.store.prunes.create({ sourceRunId: source.id, options: {}, report: {}, modelPath: '/p' });
    const fromRun = t.store.exports.create({
      runId: source.id,
      format: 'tfjs',
      dir: '/exports/a',
      files: ['model.json', 'group1-shard1of1.bin'],
      params: 61706,
      macs: 416520,
      verified: true,
      maxAbsDiff: 0,
      report: { accuracy: 0.98 },
    });
    t.advance(1);
    const fromPrune = t.store.exports.create({
      pruneId: prune.id,
      format: 'onnx',
      dir: '/exports/b',
      files: ['model.onnx'],
      params: 30000,
      macs: 200000,
      verified: false,
      maxAbsDiff: null,
      report: {},
    });
    expect(fromRun).toMatchObject({ verified: true, maxAbsDiff: 0, pruneId: null, files: ['model.json', 'group1-shard1of1.bin'] });
    expect(fromPrune).toMatchObject({ verified: false, maxAbsDiff: null, runId: null });
    expect(t.store.exports.listBySource(source.id).map((e) => e.id)).toEqual([fromPrune.id, fromRun.id]);
    expect(t.store.exports.listByPrune(prune.id).map((e) => e.id)).toEqual([fromPrune.id]);
    expect(() =>
      t.store.exports.create({ format: 'onnx', dir: '/x', files: [], params: 0, macs: 0, verified: false, maxAbsDiff: null, report: {} }),
    ).toThrow('Invalid export: it needs the run or the prune whose model it holds.');
    expect(() =>
      t.store.exports.create({ pruneId: 'prn-zzzzzz', format: 'onnx', dir: '/x', files: [], params: 0, macs: 0, verified: false, maxAbsDiff: null, report: {} }),
    ).toThrow('Unknown prune "prn-zzzzzz".');
    // Deleting the prune takes its exports with it.
    t.store.prunes.delete(prune.id);
    expect(t.store.exports.get(fromPrune.id)).toBeNull();
    expect(t.store.exports.get(fromRun.id)).not.toBeNull();
  });
});
