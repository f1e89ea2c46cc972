import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { AUGMENT_PAD, epochOrder, makeBatch } from './batches';
import { CIFAR10_MEAN, CIFAR10_STD } from '../../catalog/datasets/cifar';
import { loadDataset } from './index';
import { fixturePixel, writeCifar10Fixture } from '../../catalog/datasets/testing/fixtures';
import type { Dataset } from './types';

const root = mkdtempSync(join(tmpdir(), 'ffr-batch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let ds: Dataset;
beforeAll(async () => {
  writeCifar10Fixture(root, { perBatch: 20 });
  ds = await loadDataset({ name: 'cifar10', dataDir: root });
});

const norm = (v: number, c: number): number => Math.fround((v / 255 - CIFAR10_MEAN[c]!) / CIFAR10_STD[c]!);

/** The image as makeBatch would produce it for crop offset (dy, dx) and flip. */
function expected(record: number, dy: number, dx: number, flip: boolean): Float32Array {
  const out = new Float32Array(32 * 32 * 3);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const sy = y + dy;
      const sx = (flip ? 31 - x : x) + dx;
      if (sy < 0 || sy > 31 || sx < 0 || sx > 31) continue;
      for (let c = 0; c < 3; c++) out[(y * 32 + x) * 3 + c] = norm(fixturePixel(record, c, sy, sx), c);
    }
  }
  return out;
}

/** Whether img equals expected(record, dy, dx, flip), stopping at the first difference. */
function matches(img: Float32Array, record: number, dy: number, dx: number, flip: boolean): boolean {
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const sy = y + dy;
      const sx = (flip ? 31 - x : x) + dx;
      const inside = sy >= 0 && sy <= 31 && sx >= 0 && sx <= 31;
      for (let c = 0; c < 3; c++) {
        const want = inside ? norm(fixturePixel(record, c, sy, sx), c) : 0;
        if (img[(y * 32 + x) * 3 + c] !== want) return false;
      }
    }
  }
  return true;
}

function same(a: Float32Array, b: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('makeBatch', () => {
  it('normalizes (v/255 − mean)/std per channel in NHWC and gathers labels', () => {
    const idx = [3, 0, 17];
    const b = makeBatch(ds, ds.train, idx, { augment: false, rng: new Rng(1) });
    expect(b.size).toBe(3);
    expect(b.x.length).toBe(3 * 3072);
    expect(Array.from(b.y)).toEqual(idx.map((i) => ds.train.labels[i]));
    idx.forEach((rec, j) => expect(same(b.x.subarray(j * 3072, (j + 1) * 3072), expected(rec, 0, 0, false))).toBe(true));
    expect(b.x[0]).toBeCloseTo((fixturePixel(3, 0, 0, 0) / 255 - 0.4914) / 0.247, 5);
  });

  it('augments by a pad-4 crop and a flip only: each image is one exact crop/flip of its source, mean-padded', () => {
    const idx = Array.from({ length: 64 }, (_, i) => i % ds.train.count);
    const b = makeBatch(ds, ds.train, idx, { augment: true, rng: new Rng(7) });
    const seen = new Set<string>();
    idx.forEach((rec, j) => {
      const img = b.x.subarray(j * 3072, (j + 1) * 3072);
      let match: string | undefined;
      for (let dy = -AUGMENT_PAD; dy <= AUGMENT_PAD && !match; dy++) {
        for (let dx = -AUGMENT_PAD; dx <= AUGMENT_PAD && !match; dx++) {
          for (const flip of [false, true]) {
            if (matches(img, rec, dy, dx, flip)) {
              match = `${dy},${dx},${flip}`;
              break;
            }
          }
        }
      }
      expect(match, `image ${j}`).toBeDefined();
      seen.add(match!);
      // Pixel multiset: every value is a normalized source value of its channel or the padding 0.
      const allowed = [0, 1, 2].map((c) => {
        const s = new Set<number>([0]);
        for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) s.add(norm(fixturePixel(rec, c, y, x), c));
        return s;
      });
      let foreign = 0;
      for (let p = 0; p < 3072; p++) if (!allowed[p % 3]!.has(img[p]!)) foreign++;
      expect(foreign).toBe(0);
    });
    // Many different crops and both flip states occur.
    expect(seen.size).toBeGreaterThan(30);
    expect([...seen].some((s) => s.endsWith('true'))).toBe(true);
    expect([...seen].some((s) => s.endsWith('false'))).toBe(true);
  });

  it('is deterministic with the same seed and differs with another', () => {
    const idx = [1, 2, 3, 4, 5, 6, 7, 8];
    const a = makeBatch(ds, ds.train, idx, { augment: true, rng: new Rng(42) });
    const b = makeBatch(ds, ds.train, idx, { augment: true, rng: new Rng(42) });
    const c = makeBatch(ds, ds.train, idx, { augment: true, rng: new Rng(43) });
    expect(same(a.x, b.x)).toBe(true);
    expect(same(a.x, c.x)).toBe(false);
  });
});

describe('epochOrder', () => {
  it('is a permutation, the same for the same (seed, epoch), different across epochs and seeds', () => {
    const a = epochOrder(1000, 5, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(epochOrder(1000, 5, 0))).toEqual(Array.from(a));
    expect(Array.from(epochOrder(1000, 5, 1))).not.toEqual(Array.from(a));
    expect(Array.from(epochOrder(1000, 6, 0))).not.toEqual(Array.from(a));
  });
});
