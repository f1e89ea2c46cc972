/**
 * Datasets: one entry point, loadDataset(ref), for every source the workbench trains on.
 * See docs/datasets.md for formats, splits, normalization and augmentation.
 */
import { checkLimits, checkSplits, validationCount } from '../../catalog/datasets/header';
import type { DatasetRef } from '../../shared/run-config';
import { hashString } from '../rng';
import { loadCifar10, loadCifar100 } from './cifar';
import { loadImageFolder } from './folder';
import { loadMnist } from './mnist';
import { gather, limitSplit, stratifiedPick } from './split';
import { loadSynthetic } from './synthetic';
import { emptySplit, imageSize, type Dataset, type LoadOptions, type SourceDataset } from './types';

export { DatasetError, type Dataset, type LoadOptions, type Split } from './types';
export { makeBatch, epochOrder, type Batch, type BatchOptions } from './batches';
export { describeDataset, samplePng, sampleIndices } from './inspect';

async function loadFull(ref: DatasetRef, seed: number): Promise<SourceDataset> {
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
 * with trainLimit or the validation share. The validation set is carved out of the full training
 * split first (stratified, chosen by the data seed), then trainLimit limits what is left: so the
 * validation images are the same for every run of a dataset, whatever its trainLimit. Limits take
 * a deterministic, class-stratified subset that depends only on the data seed (opts.seed, default
 * 0) — the same subset for every run. Splits left empty are refused (checkSplits).
 */
export async function loadDataset(ref: DatasetRef, opts: LoadOptions = {}): Promise<Dataset> {
  checkLimits(opts);
  const seed = opts.seed ?? 0;
  const full = await loadFull(ref, seed);
  const bytes = imageSize(full.shape);
  let train = full.train;
  let val = emptySplit();
  const valCount = validationCount(full.train.count, opts.valFraction);
  if (valCount > 0) {
    const { picked, rest } = stratifiedPick(full.train.labels, full.train.count, full.classes, valCount, hashString(`validation:${seed}`));
    val = gather(full.train, picked, bytes);
    train = gather(full.train, rest, bytes);
  }
  const ds: Dataset = {
    ...full,
    train: limitSplit(train, full.classes, bytes, opts.trainLimit, hashString(`limit:train:${seed}`)),
    val,
    test: limitSplit(full.test, full.classes, bytes, opts.testLimit, hashString(`limit:test:${seed}`)),
  };
  checkSplits({ name: ds.name, source: ds.source, trainCount: ds.train.count, valCount: ds.val.count, testCount: ds.test.count }, full.train.count, opts.valFraction ?? 0);
  return ds;
}

/** The load options a run's config asks for: its limits and its validation share. */
export function runLoadOptions(config: { trainLimit?: number | undefined; testLimit?: number | undefined; valFraction: number }): LoadOptions {
  return {
    ...(config.trainLimit ? { trainLimit: config.trainLimit } : {}),
    ...(config.testLimit ? { testLimit: config.testLimit } : {}),
    valFraction: config.valFraction,
  };
}
