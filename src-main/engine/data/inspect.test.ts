import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { describeDataset, loadDataset, samplePng, sampleIndices } from './index';
import { classCounts } from './split';
import { DatasetError } from './types';

describe('describeDataset / samplePng / sampleIndices', () => {
  it('summarizes counts per class', async () => {
    const ds = await loadDataset({ name: 'synthetic', classes: 4, trainSize: 40, testSize: 12 });
    const d = describeDataset(ds);
    expect(d).toMatchObject({ dataset: 'synthetic', shape: [28, 28, 1], classes: 4, train: 40, test: 12 });
    expect(d.classNames).toHaveLength(4);
    expect(d.classCounts.train).toEqual([10, 10, 10, 10]);
    expect(d.classCounts.test).toEqual([3, 3, 3, 3]);
    expect(d.source).toContain('synthetic');
  });

  it('writes an un-normalized PNG, scaled by pixel repetition', async () => {
    const ds = await loadDataset({ name: 'synthetic', shape: [6, 5, 3], classes: 2, trainSize: 4, testSize: 2 });
    const png = PNG.sync.read(samplePng(ds, 'train', 2, 3));
    expect([png.width, png.height]).toEqual([15, 18]);
    const base = 2 * 6 * 5 * 3;
    for (const [y, x] of [[0, 0], [5, 4], [3, 2]] as const) {
      for (const [Y, X] of [[y * 3, x * 3], [y * 3 + 2, x * 3 + 1]]) {
        const o = (Y! * 15 + X!) * 4;
        const i = base + (y * 5 + x) * 3;
        expect(Array.from(png.data.subarray(o, o + 4))).toEqual([...ds.train.images.subarray(i, i + 3), 255]);
      }
    }
    const gray = await loadDataset({ name: 'synthetic', trainSize: 2, testSize: 2 });
    const g = PNG.sync.read(samplePng(gray, 'test', 1));
    const v = gray.test.images[784 + 28 * 10 + 7]!;
    expect(Array.from(g.data.subarray((10 * 28 + 7) * 4, (10 * 28 + 7) * 4 + 4))).toEqual([v, v, v, 255]);
    expect(() => samplePng(gray, 'test', 2)).toThrow(DatasetError);
    expect(() => samplePng(gray, 'test', 0, 0)).toThrow(/scale/);
  });

  it('picks up to perClass indices of each class, class by class', async () => {
    const ds = await loadDataset({ name: 'synthetic', classes: 3, trainSize: 30, testSize: 6 });
    const idx = sampleIndices(ds, 'train', 4);
    expect(idx).toHaveLength(12);
    expect(idx.map((i) => ds.train.labels[i])).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(sampleIndices(ds, 'test', 5)).toHaveLength(6); // only 2 per class exist
  });
});

describe('loadDataset limits', () => {
  it('takes deterministic class-stratified subsets and keeps normalization', async () => {
    const full = await loadDataset({ name: 'mnist' });
    const a = await loadDataset({ name: 'mnist' }, { trainLimit: 1000, testLimit: 100 });
    const b = await loadDataset({ name: 'mnist' }, { trainLimit: 1000, testLimit: 100 });
    expect(a.train.count).toBe(1000);
    expect(a.test.count).toBe(100);
    expect(Buffer.compare(Buffer.from(a.train.images), Buffer.from(b.train.images))).toBe(0);
    const counts = classCounts(a.train.labels, a.train.count, 10);
    const fullCounts = classCounts(full.train.labels, full.train.count, 10);
    counts.forEach((k, c) => expect(Math.abs(k - (fullCounts[c]! * 1000) / 8000)).toBeLessThan(1));
    expect(a.mean).toEqual(full.mean);
    // A limit above the size is no limit; a bad limit is refused.
    expect((await loadDataset({ name: 'synthetic' }, { trainLimit: 10_000 })).train.count).toBe(512);
    await expect(loadDataset({ name: 'synthetic' }, { trainLimit: 0 })).rejects.toThrow(/trainLimit/);
    await expect(loadDataset({ name: 'synthetic' }, { testLimit: 1.5 })).rejects.toThrow(DatasetError);
  });
});
