/**
 * Datasets: one entry point, loadDataset(ref), for every source the workbench trains on.
 * See docs/datasets.md for formats, splits, normalization and augmentation.
 */
import { checkLimits } from '../../catalog/datasets/header';
import type { DatasetRef } from '../../shared/run-config';
import { hashString } from '../rng';
import { loadCifar10, loadCifar100 } from './cifar';
import { loadImageFolder } from './folder';
import { loadMnist } from './mnist';
import { limitSplit } from './split';
import { loadSynthetic } from './synthetic';
import { imageSize, type Dataset, type LoadOptions } from './types';

export { DatasetError, type Dataset, type LoadOptions, type Split } from './types';
export { makeBatch, epochOrder, type Batch, type BatchOptions } from './batches';
export { describeDataset, samplePng, sampleIndices } from './inspect';

async function loadFull(ref: DatasetRef, seed: number): Promise<Dataset> {
  switch (ref.name) {
    case 'mnist':
      return loadMnist();
    case 'cifar10':
      return loadCifar10(ref.dataDir);
    case 'cifar100':
      return loadCifar100(ref.dataDir);
    case 'synthetic':
      return loadSynthetic({
        shape: ref.shape,
        classes: ref.classes,
        trainSize: ref.trainSize,
        testSize: ref.testSize,
        seed,
      });
    case 'folder':
      return loadImageFolder(ref.dataDir, ref.shape);
  }
}

/**
 * Load a dataset. `ref.shape` is used by synthetic and folder only (MNIST and CIFAR have fixed
 * shapes). Normalization statistics are those of the full training split, so they do not change
 * with trainLimit. Limits take a deterministic, class-stratified subset that depends only on the
 * data seed (opts.seed, default 0) — the same subset for every run.
 */
export async function loadDataset(ref: DatasetRef, opts: LoadOptions = {}): Promise<Dataset> {
  checkLimits(opts);
  const seed = opts.seed ?? 0;
  const full = await loadFull(ref, seed);
  if (opts.trainLimit === undefined && opts.testLimit === undefined) return full;
  const bytes = imageSize(full.shape);
  return {
    ...full,
    train: limitSplit(full.train, full.classes, bytes, opts.trainLimit, hashString(`limit:train:${seed}`)),
    test: limitSplit(full.test, full.classes, bytes, opts.testLimit, hashString(`limit:test:${seed}`)),
  };
}
