/**
 * Procedural data (engine/data/synthetic.ts draws it): any shape and class count, for tests, demos
 * and smoke runs without files. Its defaults (SYNTHETIC_DEFAULTS, shared/run-config.ts) are also
 * the bundled "Synthetic" entry of the dataset list.
 */
import { AUGMENTABLE, SYNTHETIC_DEFAULTS, type ImageShape } from '../../shared/run-config';
import { DatasetError } from './errors';
import type { DatasetHeader } from './header';

export interface SyntheticOptions {
  shape?: ImageShape | undefined;
  classes?: number | undefined;
  trainSize?: number | undefined;
  testSize?: number | undefined;
  seed?: number | undefined;
}

/** The options with every default filled in; refuses fewer than two classes. */
export function syntheticOptions(opts: SyntheticOptions = {}): Required<SyntheticOptions> {
  const classes = opts.classes ?? SYNTHETIC_DEFAULTS.classes;
  if (!Number.isInteger(classes) || classes < 2) {
    throw new DatasetError(`Synthetic data needs at least 2 classes, got ${classes}.`);
  }
  return {
    shape: opts.shape ?? SYNTHETIC_DEFAULTS.shape,
    classes,
    trainSize: opts.trainSize ?? SYNTHETIC_DEFAULTS.trainSize,
    testSize: opts.testSize ?? SYNTHETIC_DEFAULTS.testSize,
    seed: opts.seed ?? 0,
  };
}

export function syntheticHeader(opts: SyntheticOptions = {}): DatasetHeader {
  const o = syntheticOptions(opts);
  return {
    name: 'synthetic',
    shape: [...o.shape],
    classes: o.classes,
    classNames: Array.from({ length: o.classes }, (_, k) => `class ${k}`),
    trainCount: o.trainSize,
    testCount: o.testSize,
    augmentable: AUGMENTABLE.synthetic,
    source: `synthetic gratings and blobs, ${o.shape.join('×')}, ${o.classes} classes, seed ${o.seed}`,
  };
}
