/**
 * What the workbench knows about a dataset without loading its images: shape, classes, class
 * names, split sizes and where it comes from. The host validates run configs and lists datasets
 * from headers (a directory listing and a few file sizes, never a decode), so it never holds a
 * dataset in memory; trainer processes load the images (engine/data), reusing these readers so
 * that the two can never disagree about the layout of a folder or the files of a CIFAR set.
 */
import type { DatasetName, DatasetRef, ImageShape } from '../../shared/run-config';
import { CIFAR_SIDE, cifarHeader, cifarVariant } from './cifar';
import { DatasetError } from './errors';
import { folderHeader } from './folder';
import { MNIST_CLASS_NAMES, MNIST_SHAPE, mnistHeader } from './mnist';
import { syntheticHeader, syntheticOptions } from './synthetic';

export interface DatasetHeader {
  name: DatasetName;
  /** [height, width, channels] of every image as the model sees it. */
  shape: ImageShape;
  classes: number;
  classNames: string[];
  /** Images in each split, after trainLimit/testLimit. */
  trainCount: number;
  testCount: number;
  /** Whether CIFAR-style pad-crop-flip augmentation makes sense for these images. */
  augmentable: boolean;
  /** Where the data comes from, e.g. "CIFAR-10 binary files in /data/cifar-10-batches-bin". */
  source: string;
}

export interface HeaderOptions {
  trainLimit?: number;
  testLimit?: number;
  /** Data seed (synthetic generation and limit subsets); default 0. */
  seed?: number;
}

/** Refuses a trainLimit or testLimit that is not a positive whole number. */
export function checkLimits(opts: HeaderOptions): void {
  for (const [name, v] of [['trainLimit', opts.trainLimit], ['testLimit', opts.testLimit]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
      throw new DatasetError(`${name} must be a positive whole number, got ${v}.`);
    }
  }
}

/** The header of the full dataset (no limits applied). */
function fullHeader(ref: DatasetRef, seed: number): Promise<DatasetHeader> {
  switch (ref.name) {
    case 'mnist':
      return Promise.resolve(mnistHeader());
    case 'cifar10':
    case 'cifar100':
      return cifarHeader(ref.name, ref.dataDir);
    case 'synthetic':
      return Promise.resolve(syntheticHeader({ shape: ref.shape, classes: ref.classes, trainSize: ref.trainSize, testSize: ref.testSize, seed }));
    case 'folder':
      return folderHeader(ref.dataDir, ref.shape);
  }
}

/**
 * Reads a dataset's header: refuses, with one sentence, what loading would refuse for a missing or
 * malformed layout (no folder, a missing or truncated CIFAR file, an image folder without classes).
 * What only a full read can see (a label byte out of range, an undecodable image) is found by the
 * trainer that loads it.
 */
export async function readDatasetHeader(ref: DatasetRef, opts: HeaderOptions = {}): Promise<DatasetHeader> {
  checkLimits(opts);
  const full = await fullHeader(ref, opts.seed ?? 0);
  return {
    ...full,
    trainCount: Math.min(full.trainCount, opts.trainLimit ?? Infinity),
    testCount: Math.min(full.testCount, opts.testLimit ?? Infinity),
  };
}

export { DatasetError };

/**
 * Image shape and class count, known without any file for MNIST, CIFAR and synthetic data (an
 * image folder is scanned): what `ffr model info` needs to size a model.
 */
export async function datasetGeometry(ref: DatasetRef): Promise<{ shape: ImageShape; classes: number }> {
  switch (ref.name) {
    case 'mnist':
      return { shape: [...MNIST_SHAPE], classes: MNIST_CLASS_NAMES.length };
    case 'cifar10':
    case 'cifar100':
      return { shape: [CIFAR_SIDE, CIFAR_SIDE, 3], classes: cifarVariant(ref.name).classes };
    case 'synthetic': {
      const o = syntheticOptions(ref);
      return { shape: [...o.shape], classes: o.classes };
    }
    case 'folder': {
      const h = await folderHeader(ref.dataDir, ref.shape);
      return { shape: h.shape, classes: h.classes };
    }
  }
}
