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
  /** Images in each split, after the validation set is held out and trainLimit/testLimit apply. */
  trainCount: number;
  /** Images held out of the training split as the validation set (HeaderOptions.valFraction). */
  valCount?: number;
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
  /** Share of the training split held out as the validation set; default 0 (none). */
  valFraction?: number;
}

/**
 * Images the validation set takes out of a training split of `trainCount`: the same number the
 * loader's stratified pick takes (engine/data/index.ts), so header and data always agree.
 */
export function validationCount(trainCount: number, valFraction: number | undefined): number {
  return Math.round(trainCount * (valFraction ?? 0));
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
  const valCount = validationCount(full.trainCount, opts.valFraction);
  const header = {
    ...full,
    trainCount: Math.min(full.trainCount - valCount, opts.trainLimit ?? Infinity),
    valCount,
    testCount: Math.min(full.testCount, opts.testLimit ?? Infinity),
  };
  checkSplits(header, full.trainCount, opts.valFraction ?? 0);
  return header;
}

/**
 * Refuses, in one sentence, splits that leave nothing to train, validate or test on (an image
 * folder with 3 images per class has no test image; a fraction of a dozen images may hold out none):
 * a run on them would record 0 % accuracy, or choose on nothing. The trainer checks the same.
 */
export function checkSplits(h: Pick<DatasetHeader, 'name' | 'source' | 'trainCount' | 'testCount'> & { valCount?: number }, fullTrain: number, valFraction: number): void {
  const what = h.name === 'folder' ? h.source.replace(/ \(.*$/, '') : `the ${h.name} dataset`;
  if (h.testCount === 0) {
    const hint = h.name === 'folder' ? ' (without train/ and test/ folders every fifth image of a class is a test image, so each class needs at least 5 images)' : '';
    throw new DatasetError(`${capitalize(what)} leaves the test set empty${hint}; add images or give a test split.`);
  }
  if (valFraction > 0 && (h.valCount ?? 0) === 0) {
    throw new DatasetError(`A validation fraction of ${valFraction} of the ${fullTrain} training images of ${what} leaves the validation set empty; raise --val-fraction or add images.`);
  }
  if (h.trainCount === 0) {
    throw new DatasetError(`A validation fraction of ${valFraction} of the ${fullTrain} training images of ${what} leaves no image to train on; lower --val-fraction or add images.`);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
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
