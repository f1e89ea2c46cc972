import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classCounts } from './split';
import { clearMnistCache, loadMnist } from './mnist';
import { loadDataset } from './index';

const digest = (a: Uint8Array | Uint16Array): string =>
  createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

describe('bundled MNIST', () => {
  it('loads 8000/2000 28×28×1 digits of 10 classes', () => {
    clearMnistCache();
    const ds = loadMnist();
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classes).toBe(10);
    expect(ds.train.count).toBe(8000);
    expect(ds.test.count).toBe(2000);
    expect(ds.train.images.length).toBe(8000 * 784);
    expect(ds.test.labels.length).toBe(2000);
    expect(ds.augmentable).toBe(false);
    // Real digits: mostly background, normalization close to the classic constants.
    expect(ds.mean[0]).toBeGreaterThan(0.12);
    expect(ds.mean[0]).toBeLessThan(0.145);
    expect(ds.std[0]).toBeGreaterThan(0.29);
    expect(ds.std[0]).toBeLessThan(0.32);
    // Cached: a second call is the same object.
    expect(loadMnist()).toBe(ds);
  });

  it('is stratified: every class split 80/20 to within one image', () => {
    const ds = loadMnist();
    const tr = classCounts(ds.train.labels, ds.train.count, 10);
    const te = classCounts(ds.test.labels, ds.test.count, 10);
    for (let k = 0; k < 10; k++) {
      const total = tr[k]! + te[k]!;
      expect(Math.abs(tr[k]! - 0.8 * total)).toBeLessThanOrEqual(1);
      expect(te[k]!).toBeGreaterThan(150);
    }
    expect(tr.reduce((a, b) => a + b, 0)).toBe(8000);
  });

  it('is the same split every time, mixed in order, without train/test overlap', async () => {
    const a = loadMnist();
    const ha = [digest(a.train.images), digest(a.train.labels), digest(a.test.images), digest(a.test.labels)];
    clearMnistCache();
    const b = await loadDataset({ name: 'mnist' });
    expect(b === a).toBe(false); // not .not.toBe: its failure hint deep-compares 6 MB arrays
    expect([digest(b.train.images), digest(b.train.labels), digest(b.test.images), digest(b.test.labels)]).toEqual(ha);
    // The first 100 training images already cover all classes (stored shuffled, not by class).
    expect(new Set(b.train.labels.subarray(0, 100)).size).toBe(10);
    // No test image appears in train (a handful of byte-identical digits could exist in the raw data,
    // so compare hashes and allow none beyond what the raw data itself repeats).
    const hashes = new Set<string>();
    for (let i = 0; i < b.train.count; i++) hashes.add(digest(b.train.images.subarray(i * 784, (i + 1) * 784)));
    let shared = 0;
    for (let i = 0; i < b.test.count; i++) if (hashes.has(digest(b.test.images.subarray(i * 784, (i + 1) * 784)))) shared++;
    expect(shared).toBeLessThanOrEqual(2);
  });
});
