import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FFR, defaultRunConfig, type RunConfig } from '../../shared/run-config';
import { loadDataset, type Dataset } from '../data';
import { buildModelSpec } from '../../catalog/models/builders';
import { disposeParams, initialWeightValues, paramsFromValues } from '../models/init';
import { evaluate } from './evaluate';
import { tf } from '../tf';
import { readModelFile } from './checkpoint';
import { TrainingDiverged, trainRun, type EpochRecord } from './loop';
import { learningRate } from './optimizer';

let ds: Dataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  ds = await loadDataset({ name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 96, testSize: 48 });
});

function config(overrides: Partial<RunConfig> = {}): RunConfig {
  return defaultRunConfig({
    model: 'mlp',
    width: 0.1,
    dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 96, testSize: 48 },
    epochs: 3,
    batchSize: 32,
    lr: 0.05,
    probeSize: 32,
    backend: 'cpu',
    ...overrides,
  });
}

function start(c: RunConfig) {
  const spec = buildModelSpec(c.model, { inputShape: ds.shape, classes: ds.classes, width: c.width, shortcut: c.shortcut });
  return { spec, weights: initialWeightValues(spec, c.seed), epoch: 0 };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-loop-'));

describe('training loop', () => {
  it('learns the synthetic task and records metrics, snapshots and a checkpoint every epoch', async () => {
    const records: EpochRecord[] = [];
    const c = config();
    const outcome = await trainRun(c, ds, start(c), tmp(), { onEpoch: (r) => void records.push(r) });
    expect(outcome.status).toBe('completed');
    expect(records.map((r) => r.metrics.epoch)).toEqual([1, 2, 3]);
    expect(records[2]!.metrics.testAccuracy).toBeGreaterThan(0.6);
    expect(records[2]!.snapshots.map((s) => s.layer)).toEqual(['fc1', 'fc2']);
    for (const r of records) expect(fs.existsSync(r.checkpoint.path)).toBe(true);
    expect(readModelFile(records[2]!.checkpoint.path).epoch).toBe(3);
  });

  it('evaluates the validation set every epoch, beside the test set (null without one)', async () => {
    const withVal = await loadDataset({ name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 96, testSize: 48 }, { valFraction: 0.25 });
    expect(withVal.val.count).toBe(24);
    const records: EpochRecord[] = [];
    const c = config({ epochs: 2 });
    await trainRun(c, withVal, start(c), tmp(), { onEpoch: (r) => void records.push(r) });
    const last = records[1]!;
    const file = readModelFile(last.checkpoint.path);
    const params = paramsFromValues(file.weights);
    try {
      const val = await evaluate(file.spec, params, withVal, withVal.val);
      const test = await evaluate(file.spec, params, withVal, withVal.test);
      expect(last.metrics.valAccuracy).toBe(val.accuracy);
      expect(last.metrics.valLoss).toBeCloseTo(val.loss, 6);
      expect(last.metrics.testLoss).toBeCloseTo(test.loss, 6);
      expect(val.loss).not.toBeCloseTo(test.loss, 6);
    } finally {
      disposeParams(params);
    }
    const without: EpochRecord[] = [];
    await trainRun(config({ epochs: 1 }), ds, start(config()), tmp(), { onEpoch: (r) => void without.push(r) });
    expect(without[0]!.metrics).toMatchObject({ valLoss: null, valAccuracy: null });
  });

  it('leaks no tensors: tf.memory().numTensors is flat across epochs', async () => {
    const counts: number[] = [];
    const c = config({ epochs: 4 });
    await trainRun(c, ds, start(c), tmp(), { onEpoch: () => void counts.push(tf.memory().numTensors) });
    expect(counts[1]).toBe(counts[0]);
    expect(counts[3]).toBe(counts[1]);
    const before = tf.memory().numTensors;
    await trainRun(c, ds, start(c), tmp(), { onEpoch: () => {} });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops with a clear reason when the loss becomes NaN or infinite', async () => {
    // A learning rate no schema would accept, to force overflow quickly.
    const c = { ...config({ weightDecay: 0, schedule: 'constant', epochs: 5 }), lr: 1e30 };
    await expect(trainRun(c, ds, start(c), tmp(), { onEpoch: () => {} })).rejects.toThrow(TrainingDiverged);
    await expect(trainRun(c, ds, start(c), tmp(), { onEpoch: () => {} })).rejects.toThrow(/loss became (NaN|Infinity).*lower the learning rate/);
  });

  it('resuming from the epoch-1 checkpoint gives the same weights as training straight through', async () => {
    const c = config({ epochs: 2 });
    const dirA = tmp();
    const straight: EpochRecord[] = [];
    await trainRun(c, ds, start(c), dirA, { onEpoch: (r) => void straight.push(r) });
    const ckpt = readModelFile(straight[0]!.checkpoint.path);
    const resumed: EpochRecord[] = [];
    await trainRun(
      c,
      ds,
      { spec: ckpt.spec, weights: ckpt.weights, epoch: ckpt.epoch, optimizer: { step: ckpt.optimizerStep, slots: ckpt.optimizer } },
      tmp(),
      { onEpoch: (r) => void resumed.push(r) },
    );
    expect(resumed.map((r) => r.metrics.epoch)).toEqual([2]);
    const a = readModelFile(straight[1]!.checkpoint.path).weights;
    const b = readModelFile(resumed[0]!.checkpoint.path).weights;
    for (const [name, { values }] of a) expect(Array.from(b.get(name)!.values)).toEqual(Array.from(values));
    expect(resumed[0]!.metrics.testAccuracy).toBe(straight[1]!.metrics.testAccuracy);
  });

  it('the regularizer reaches the loss it differentiates: loss = CE + penalty, and the penalty moves the weights', async () => {
    for (const [regularizer, extra] of [
      ['ffr', { ffr: { ...DEFAULT_FFR, lambdaLength: 0.5, lambdaCurvature: 0 } }],
      ['l1', { lambda: 1e-3 }],
      ['group-lasso', { lambda: 1e-2 }],
    ] as const) {
      const records: EpochRecord[] = [];
      const c = config({ epochs: 1, regularizer, ...extra });
      await trainRun(c, ds, start(c), tmp(), { onEpoch: (r) => void records.push(r) });
      const m = records[0]!.metrics;
      expect(m.regLoss, regularizer).toBeGreaterThan(0);
      expect(m.trainLoss, regularizer).toBeCloseTo(m.trainCrossEntropy + m.regLoss, 5);
      if (regularizer === 'ffr') expect(m.regLoss).toBeCloseTo(0.5 * m.ffrLength, 5);
      // Same seed, data and steps without the penalty: any difference in the weights is its gradient.
      const plain: EpochRecord[] = [];
      const n = config({ epochs: 1, regularizer: 'none' });
      await trainRun(n, ds, start(n), tmp(), { onEpoch: (r) => void plain.push(r) });
      const a = readModelFile(records[0]!.checkpoint.path).weights;
      const b = readModelFile(plain[0]!.checkpoint.path).weights;
      const moved = [...a].some(([name, w]) => w.values.some((v, i) => v !== b.get(name)!.values[i]));
      expect(moved, regularizer).toBe(true);
    }
  });

  it('cancellation stops between steps and records no partial epoch', async () => {
    const records: EpochRecord[] = [];
    let steps = 0;
    const c = config({ epochs: 3 });
    const outcome = await trainRun(c, ds, start(c), tmp(), {
      onEpoch: (r) => void records.push(r),
      onStep: () => void (steps += 1),
      isCancelled: () => steps >= 4,
    });
    expect(outcome).toMatchObject({ status: 'cancelled', epochsDone: 1 });
    expect(records).toHaveLength(1);
  });
});

describe('learning-rate schedules', () => {
  const base = { lr: 0.1, epochs: 10, stepEvery: 3, stepGamma: 0.1 };
  it('cosine starts at lr, halves midway and ends near zero', () => {
    expect(learningRate({ ...base, schedule: 'cosine' }, 0)).toBeCloseTo(0.1);
    expect(learningRate({ ...base, schedule: 'cosine' }, 0.5)).toBeCloseTo(0.05);
    expect(learningRate({ ...base, schedule: 'cosine' }, 0.999)).toBeLessThan(1e-5);
  });
  it('step multiplies by gamma every stepEvery epochs', () => {
    expect(learningRate({ ...base, schedule: 'step' }, 0.25)).toBeCloseTo(0.1);
    expect(learningRate({ ...base, schedule: 'step' }, 0.35)).toBeCloseTo(0.01);
    expect(learningRate({ ...base, schedule: 'step' }, 0.65)).toBeCloseTo(0.001);
  });
  it('constant stays put', () => {
    expect(learningRate({ ...base, schedule: 'constant' }, 0.9)).toBe(0.1);
  });
});
