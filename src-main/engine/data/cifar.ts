/**
 * CIFAR-10 / CIFAR-100 in the official binary format (https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * CIFAR-10 record: 1 label byte + 3072 pixel bytes; CIFAR-100 record: coarse label byte, fine label
 * byte + 3072 pixel bytes. Pixels are three 32×32 planes (R, G, B), each row-major; we convert to
 * interleaved NHWC bytes, the layout tfjs wants. Every file is checked before use: a size that is
 * not a whole number of records or a label out of range is refused with the file, the byte offset
 * and the record size, because a silently half-read dataset is the worst kind of bug.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, type Dataset, type Split } from './types';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = PLANE * 3;

export const CIFAR10_CLASS_NAMES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

export const CIFAR100_CLASS_NAMES = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

/**
 * The usual per-channel statistics of the training sets (computed over all 50,000 images). The std
 * is the per-pixel std over the set (0.247…), not the 0.2023/0.1994/0.2010 seen in many repos, a
 * smaller statistic generally reported as a mistake.
 */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD = [0.247, 0.2435, 0.2616];
export const CIFAR100_MEAN = [0.5071, 0.4865, 0.4409];
export const CIFAR100_STD = [0.2673, 0.2564, 0.2762];

interface Variant {
  label: string;
  name: 'cifar10' | 'cifar100';
  subfolder: string;
  trainFiles: string[];
  testFiles: string[];
  labelBytes: number;
  /** Which label byte is the class (CIFAR-100: the fine one). */
  labelIndex: number;
  classes: number;
  /** Range of every label byte, for validation (CIFAR-100's coarse byte has 20 values). */
  labelRanges: number[];
  namesFile: string;
  defaultNames: string[];
  mean: number[];
  std: number[];
}

const CIFAR10: Variant = {
  label: 'CIFAR-10',
  name: 'cifar10',
  subfolder: 'cifar-10-batches-bin',
  trainFiles: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
  testFiles: ['test_batch.bin'],
  labelBytes: 1,
  labelIndex: 0,
  classes: 10,
  labelRanges: [10],
  namesFile: 'batches.meta.txt',
  defaultNames: CIFAR10_CLASS_NAMES,
  mean: CIFAR10_MEAN,
  std: CIFAR10_STD,
};

const CIFAR100: Variant = {
  label: 'CIFAR-100',
  name: 'cifar100',
  subfolder: 'cifar-100-binary',
  trainFiles: ['train.bin'],
  testFiles: ['test.bin'],
  labelBytes: 2,
  labelIndex: 1,
  classes: 100,
  labelRanges: [20, 100],
  namesFile: 'fine_label_names.txt',
  defaultNames: CIFAR100_CLASS_NAMES,
  mean: CIFAR100_MEAN,
  std: CIFAR100_STD,
};

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The folder that holds the files: dataDir itself or its official subfolder. */
function locate(v: Variant, dataDir: string | undefined): string {
  if (!dataDir) {
    throw new DatasetError(`${v.label} needs a data folder (dataset.dataDir) holding the official binary files.`);
  }
  if (!isDir(dataDir)) throw new DatasetError(`${v.label} data folder ${dataDir} does not exist or is not a folder.`);
  const first = v.trainFiles[0]!;
  if (existsSync(join(dataDir, first))) return dataDir;
  const sub = join(dataDir, v.subfolder);
  if (existsSync(join(sub, first))) return sub;
  throw new DatasetError(
    `${v.label} file ${join(dataDir, first)} is missing (also looked in ${join(sub, first)}).`,
  );
}

/** Parse and validate one binary file into NHWC bytes and labels. */
function parseCifarBuffer(
  v: Variant,
  file: string,
  buf: Uint8Array,
): { images: Uint8Array; labels: Uint16Array; count: number } {
  const rec = v.labelBytes + PIXELS;
  if (buf.length === 0) {
    throw new DatasetError(`${v.label} file ${file} is empty (0 bytes; expected whole ${rec}-byte records).`);
  }
  if (buf.length % rec !== 0) {
    const whole = Math.floor(buf.length / rec);
    throw new DatasetError(
      `${v.label} file ${file} is truncated or malformed: ${buf.length} bytes is not a whole number of ${rec}-byte records ` +
        `(the last, incomplete record starts at byte ${whole * rec}).`,
    );
  }
  const count = buf.length / rec;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const base = i * rec;
    for (let b = 0; b < v.labelBytes; b++) {
      const value = buf[base + b]!;
      const range = v.labelRanges[b]!;
      if (value >= range) {
        throw new DatasetError(
          `${v.label} file ${file} has label ${value} at byte ${base + b} (record ${i}), outside 0..${range - 1} ` +
            `(records are ${rec} bytes).`,
        );
      }
    }
    labels[i] = buf[base + v.labelIndex]!;
    // Planar RGB -> interleaved: out[p*3 + c] = plane_c[p].
    const src = base + v.labelBytes;
    const dst = i * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      const o = dst + p * 3;
      images[o] = buf[src + p]!;
      images[o + 1] = buf[src + PLANE + p]!;
      images[o + 2] = buf[src + 2 * PLANE + p]!;
    }
  }
  return { images, labels, count };
}

async function readSplit(v: Variant, dir: string, files: string[]): Promise<Split> {
  const parts: Split[] = [];
  for (const name of files) {
    const file = join(dir, name);
    let buf: Buffer;
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error('not a file');
      buf = await readFile(file);
    } catch {
      throw new DatasetError(`${v.label} file ${file} is missing or unreadable.`);
    }
    parts.push(parseCifarBuffer(v, file, buf));
  }
  const count = parts.reduce((a, p) => a + p.count, 0);
  if (parts.length === 1) return parts[0]!;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint16Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { images, labels, count };
}

/** Class names from the meta file when it lists exactly the right number; else the official list. */
async function classNames(v: Variant, dir: string): Promise<string[]> {
  try {
    const text = await readFile(join(dir, v.namesFile), 'utf8');
    const names = text
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (names.length === v.classes) return names;
  } catch {
    // No meta file: the official names are known.
  }
  return [...v.defaultNames];
}

async function loadCifar(v: Variant, dataDir: string | undefined): Promise<Dataset> {
  const dir = locate(v, dataDir);
  const train = await readSplit(v, dir, v.trainFiles);
  const test = await readSplit(v, dir, v.testFiles);
  return {
    name: v.name,
    shape: [SIDE, SIDE, 3],
    classes: v.classes,
    classNames: await classNames(v, dir),
    train,
    test,
    mean: [...v.mean],
    std: [...v.std],
    augmentable: true,
    source: `${v.label} binary files in ${dir}`,
  };
}

export function loadCifar10(dataDir: string | undefined): Promise<Dataset> {
  return loadCifar(CIFAR10, dataDir);
}

export function loadCifar100(dataDir: string | undefined): Promise<Dataset> {
  return loadCifar(CIFAR100, dataDir);
}

/** Record size in bytes of each format (exported for fixtures and docs). */
export const CIFAR10_RECORD = 1 + PIXELS;
export const CIFAR100_RECORD = 2 + PIXELS;
