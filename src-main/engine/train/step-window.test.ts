import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { StepWindow, stepRecordInterval } from './loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('step scalars', () => {
  it('a row is the batch-size-weighted mean of the steps since the last one, then the window starts over', () => {
    const w = new StepWindow();
    // [total loss, cross-entropy, FFR length, FFR curvature, weighted regularizer, correct predictions]
    w.add([3, 2, 10, 1, 1, 30], 32);
    w.add([1, 0.5, 6, 3, 0.5, 10], 16);
    const row = w.take(42, 2, 0.01);
    expect(row).toMatchObject({ step: 42, epoch: 2, window: 2, lr: 0.01 });
    expect(row.loss).toBeCloseTo((3 * 32 + 1 * 16) / 48, 12);
    expect(row.crossEntropy).toBeCloseTo((2 * 32 + 0.5 * 16) / 48, 12);
    expect(row.accuracy).toBeCloseTo(40 / 48, 12);
    expect(row.ffrLength).toBeCloseTo((10 * 32 + 6 * 16) / 48, 12);
    expect(row.ffrCurvature).toBeCloseTo((1 * 32 + 3 * 16) / 48, 12);
    expect(row.regLoss).toBeCloseTo((1 * 32 + 0.5 * 16) / 48, 12);
    expect(row.stepMs).toBeGreaterThanOrEqual(0);
    expect(row.rssBytes).toBeGreaterThan(1e6);
    w.add([5, 5, 5, 5, 5, 8], 8);
    const next = w.take(43, 2, 0.01);
    expect(next).toMatchObject({ window: 1, loss: 5, accuracy: 1 });
  });

  it('about 50 rows an epoch: every step for small epochs, every k-th for large ones', () => {
    expect(stepRecordInterval(32)).toBe(1);
    expect(stepRecordInterval(74)).toBe(1);
    expect(stepRecordInterval(256)).toBe(5);
    expect(stepRecordInterval(391)).toBe(8);
  });
});
