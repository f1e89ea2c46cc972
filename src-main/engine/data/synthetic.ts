/**
 * Procedural data of any shape and class count, for tests, demos and smoke runs without files.
 *
 * Each class has a fixed template: an oriented sinusoidal grating (class-specific angle, frequency
 * and per-channel phase) plus a Gaussian blob at a class-specific place. A sample is its class's
 * template at a random contrast plus pixel noise. Easy on purpose: the class signal is strong and
 * global (a nearest-class-mean classifier is essentially perfect), so any model, even an MLP, rises
 * well above chance within a few SGD steps — what smoke tests of training need.
 * Horizontal flips would turn one class's grating angle into another's, hence augmentable: false.
 */
import { syntheticHeader, syntheticOptions, type SyntheticOptions } from '../../catalog/datasets/synthetic';
import type { ImageShape } from '../../shared/run-config';
import { Rng, hashString } from '../rng';
import { channelStats } from './split';
import { datasetMeta, imageSize, type SourceDataset as Dataset, type Split } from './types';

/** Class templates as floats in about [-1, 1], one h×w×c block per class. */
function templates(shape: ImageShape, classes: number, rng: Rng): Float32Array[] {
  const [h, w, c] = shape;
  const out: Float32Array[] = [];
  for (let k = 0; k < classes; k++) {
    // Spread angles evenly over [0, π); cycle frequencies so classes with similar angles still differ.
    const angle = (Math.PI * k) / classes + 0.3 * rng.next() / classes;
    const freq = (2 + (k % 3) + rng.next()) / Math.max(h, w); // cycles per pixel
    const by = rng.next() * h;
    const bx = rng.next() * w;
    const radius = Math.max(1, 0.18 * Math.min(h, w));
    const phases = Array.from({ length: c }, () => rng.next() * 2 * Math.PI);
    const t = new Float32Array(h * w * c);
    const ca = Math.cos(angle) * 2 * Math.PI * freq;
    const sa = Math.sin(angle) * 2 * Math.PI * freq;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const blob = Math.exp(-((y - by) ** 2 + (x - bx) ** 2) / (2 * radius * radius));
        const u = x * ca + y * sa;
        for (let ch = 0; ch < c; ch++) {
          t[(y * w + x) * c + ch] = 0.6 * Math.sin(u + phases[ch]!) + 0.8 * blob - 0.2;
        }
      }
    }
    out.push(t);
  }
  return out;
}

function makeSplit(tpl: Float32Array[], shape: ImageShape, count: number, rng: Rng): Split {
  const size = imageSize(shape);
  const classes = tpl.length;
  const images = new Uint8Array(count * size);
  const labels = new Uint16Array(count);
  // Balanced labels in a seeded order.
  const order = rng.permutation(count);
  for (let i = 0; i < count; i++) labels[i] = order[i]! % classes;
  for (let i = 0; i < count; i++) {
    const t = tpl[labels[i]!]!;
    const contrast = 0.5 + 0.4 * rng.next();
    const base = i * size;
    for (let p = 0; p < size; p++) {
      const v = 0.5 + 0.5 * contrast * t[p]! + 0.12 * rng.normal();
      images[base + p] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    }
  }
  return { images, labels, count };
}

export function loadSynthetic(opts: SyntheticOptions = {}): Dataset {
  const { shape, classes, trainSize, testSize, seed } = syntheticOptions(opts);
  // Separate streams, so changing testSize does not change the training images.
  const key = `synthetic:${shape.join('x')}:${classes}:${seed}`;
  const tpl = templates(shape, classes, new Rng(hashString(`${key}:templates`)));
  const train = makeSplit(tpl, shape, trainSize, new Rng(hashString(`${key}:train`)));
  const test = makeSplit(tpl, shape, testSize, new Rng(hashString(`${key}:test`)));
  return { ...datasetMeta(syntheticHeader(opts)), train, test, ...channelStats(train, shape[2]) };
}
