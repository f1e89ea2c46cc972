/**
 * What the UI shows about a dataset: a summary with per-class counts, sample indices for a grid
 * (a few per class) and a PNG of one image as stored (not normalized).
 */
import { PNG } from 'pngjs';
import type { DatasetDescription } from '../../shared/contract';
import { classCounts } from './split';
import { DatasetError, imageSize, type Dataset, type Split } from './types';

export function describeDataset(ds: Dataset): DatasetDescription {
  return {
    dataset: ds.name,
    shape: [...ds.shape],
    classes: ds.classes,
    classNames: [...ds.classNames],
    train: ds.train.count,
    val: ds.val.count,
    test: ds.test.count,
    classCounts: {
      train: classCounts(ds.train.labels, ds.train.count, ds.classes),
      val: classCounts(ds.val.labels, ds.val.count, ds.classes),
      test: classCounts(ds.test.labels, ds.test.count, ds.classes),
    },
    source: ds.source,
  };
}

function pick(ds: Dataset, split: 'train' | 'test'): Split {
  return ds[split];
}

/**
 * PNG of one image, each pixel repeated scale×scale (nearest neighbour, crisp for 28-px digits).
 * 1 channel → gray; 3 → RGB; 4 → RGBA; 2 or more than 4 (synthetic only) → the first channels as
 * R, G(, B).
 */
export function samplePng(ds: Dataset, split: 'train' | 'test', index: number, scale = 1): Buffer {
  const s = pick(ds, split);
  if (!Number.isInteger(index) || index < 0 || index >= s.count) {
    throw new DatasetError(`Sample ${index} is out of range: the ${split} split of ${ds.name} has ${s.count} images.`);
  }
  if (!Number.isInteger(scale) || scale < 1 || scale > 32) {
    throw new DatasetError(`Sample scale ${scale} must be a whole number from 1 to 32.`);
  }
  const [h, w, c] = ds.shape;
  const base = index * imageSize(ds.shape);
  const W = w * scale;
  const H = h * scale;
  const png = new PNG({ width: W, height: H });
  const out = png.data;
  for (let Y = 0; Y < H; Y++) {
    const y = Math.floor(Y / scale);
    for (let X = 0; X < W; X++) {
      const i = base + (y * w + Math.floor(X / scale)) * c;
      const o = (Y * W + X) * 4;
      const r = s.images[i]!;
      out[o] = r;
      out[o + 1] = c === 1 ? r : s.images[i + 1]!;
      out[o + 2] = c === 1 ? r : c === 2 ? 0 : s.images[i + 2]!;
      out[o + 3] = c === 4 ? s.images[i + 3]! : 255;
    }
  }
  return PNG.sync.write(png);
}

/** Up to `perClass` indices of each class (the first ones in split order), class by class. */
export function sampleIndices(ds: Dataset, split: 'train' | 'test', perClass: number): number[] {
  const s = pick(ds, split);
  const byClass: number[][] = Array.from({ length: ds.classes }, () => []);
  let full = 0;
  for (let i = 0; i < s.count && full < ds.classes; i++) {
    const list = byClass[s.labels[i]!]!;
    if (list.length < perClass) {
      list.push(i);
      if (list.length === perClass) full++;
    }
  }
  return byClass.flat();
}
