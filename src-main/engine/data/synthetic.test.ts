import { describe, expect, it } from 'vitest';
import { loadDataset } from './index';
import { classCounts } from './split';
import { loadSynthetic } from './synthetic';
import type { Dataset } from './types';

/** Test accuracy of a nearest-class-mean classifier fit on train: a cheap learnability check. */
function nearestMeanAccuracy(ds: Omit<Dataset, 'val'>): number {
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const means = Array.from({ length: ds.classes }, () => new Float64Array(size));
  const counts = classCounts(ds.train.labels, ds.train.count, ds.classes);
  for (let i = 0; i < ds.train.count; i++) {
    const m = means[ds.train.labels[i]!]!;
    for (let p = 0; p < size; p++) m[p]! += ds.train.images[i * size + p]!;
  }
  means.forEach((m, k) => m.forEach((v, p) => (m[p] = v / counts[k]!)));
  let right = 0;
  for (let i = 0; i < ds.test.count; i++) {
    let best = -1;
    let bestD = Infinity;
    means.forEach((m, k) => {
      let d = 0;
      for (let p = 0; p < size; p++) d += (ds.test.images[i * size + p]! - m[p]!) ** 2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    });
    if (best === ds.test.labels[i]) right++;
  }
  return right / ds.test.count;
}

describe('synthetic data', () => {
  it('defaults to 28×28×1, 10 balanced classes, 512/128', async () => {
    const ds = await loadDataset({ name: 'synthetic' });
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classes).toBe(10);
    expect(ds.classNames).toHaveLength(10);
    expect(ds.train.count).toBe(512);
    expect(ds.test.count).toBe(128);
    expect(ds.train.images.length).toBe(512 * 784);
    const counts = classCounts(ds.train.labels, ds.train.count, 10);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(51);
    expect(Math.max(...counts)).toBeLessThanOrEqual(52);
  });

  it('honours any shape and class count', async () => {
    const ds = await loadDataset({ name: 'synthetic', shape: [12, 9, 5], classes: 7, trainSize: 70, testSize: 21 });
    expect(ds.shape).toEqual([12, 9, 5]);
    expect(ds.classes).toBe(7);
    expect(ds.train.images.length).toBe(70 * 12 * 9 * 5);
    expect(ds.test.count).toBe(21);
    expect(ds.mean).toHaveLength(5);
    expect(ds.std).toHaveLength(5);
    expect(Math.max(...ds.train.labels)).toBe(6);
  });

  it('is deterministic from the seed, and differs across seeds', () => {
    const a = loadSynthetic({ seed: 3 });
    const b = loadSynthetic({ seed: 3 });
    const c = loadSynthetic({ seed: 4 });
    expect(Buffer.compare(Buffer.from(a.train.images), Buffer.from(b.train.images))).toBe(0);
    expect(Array.from(a.test.labels)).toEqual(Array.from(b.test.labels));
    expect(Buffer.compare(Buffer.from(a.train.images), Buffer.from(c.train.images))).not.toBe(0);
    // Changing the test size leaves the training images alone.
    const d = loadSynthetic({ seed: 3, testSize: 50 });
    expect(Buffer.compare(Buffer.from(a.train.images), Buffer.from(d.train.images))).toBe(0);
  });

  it('is learnable: a nearest-class-mean classifier is far above chance', () => {
    const acc = nearestMeanAccuracy(loadSynthetic());
    expect(acc).toBeGreaterThan(0.9);
    const rgb = nearestMeanAccuracy(loadSynthetic({ shape: [16, 16, 3], classes: 20, trainSize: 400, testSize: 200 }));
    expect(rgb).toBeGreaterThan(0.9);
  });
});
