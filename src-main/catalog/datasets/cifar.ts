/**
 * CIFAR-10 / CIFAR-100 in the official binary format (https://www.cs.toronto.edu/~kriz/cifar.html):
 * which files make a set, how big a record is, the class names, and the header of a data folder
 * (files present, sizes whole numbers of records). engine/data/cifar.ts parses the records.
 *
 * CIFAR-10 record: 1 label byte + 3072 pixel bytes; CIFAR-100 record: coarse label byte, fine label
 * byte + 3072 pixel bytes.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AUGMENTABLE } from '../../shared/run-config';
import { DatasetError } from './errors';
import type { DatasetHeader } from './header';

export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * 3;

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

export interface CifarVariant {
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

export const CIFAR10: CifarVariant = {
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

export const CIFAR100: CifarVariant = {
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

/** Record size in bytes of each format. */
export const CIFAR10_RECORD = CIFAR10.labelBytes + CIFAR_PIXELS;
export const CIFAR100_RECORD = CIFAR100.labelBytes + CIFAR_PIXELS;

export function cifarVariant(name: 'cifar10' | 'cifar100'): CifarVariant {
  return name === 'cifar10' ? CIFAR10 : CIFAR100;
}

/**
 * Records in a file of `bytes` bytes; refuses an empty file or one that is not a whole number of
 * records, naming the file and where the incomplete record starts.
 */
export function cifarRecords(v: CifarVariant, file: string, bytes: number): number {
  const rec = v.labelBytes + CIFAR_PIXELS;
  if (bytes === 0) {
    throw new DatasetError(`${v.label} file ${file} is empty (0 bytes; expected whole ${rec}-byte records).`);
  }
  if (bytes % rec !== 0) {
    const whole = Math.floor(bytes / rec);
    throw new DatasetError(
      `${v.label} file ${file} is truncated or malformed: ${bytes} bytes is not a whole number of ${rec}-byte records ` +
        `(the last, incomplete record starts at byte ${whole * rec}).`,
    );
  }
  return bytes / rec;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The folder that holds the files: dataDir itself or its official subfolder. */
export async function locateCifar(v: CifarVariant, dataDir: string | undefined): Promise<string> {
  if (!dataDir) {
    throw new DatasetError(`${v.label} needs a data folder (dataset.dataDir) holding the official binary files.`);
  }
  if (!(await isDir(dataDir))) throw new DatasetError(`${v.label} data folder ${dataDir} does not exist or is not a folder.`);
  const first = v.trainFiles[0]!;
  if (await isFile(join(dataDir, first))) return dataDir;
  const sub = join(dataDir, v.subfolder);
  if (await isFile(join(sub, first))) return sub;
  throw new DatasetError(`${v.label} file ${join(dataDir, first)} is missing (also looked in ${join(sub, first)}).`);
}

/** Records in a list of files of `dir`, each checked to exist and to hold whole records. */
async function countRecords(v: CifarVariant, dir: string, files: string[]): Promise<number> {
  let count = 0;
  for (const name of files) {
    const file = join(dir, name);
    let bytes: number;
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error('not a file');
      bytes = st.size;
    } catch {
      throw new DatasetError(`${v.label} file ${file} is missing or unreadable.`);
    }
    count += cifarRecords(v, file, bytes);
  }
  return count;
}

/** Class names from the meta file when it lists exactly the right number; else the official list. */
export async function cifarClassNames(v: CifarVariant, dir: string): Promise<string[]> {
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

export async function cifarHeader(name: 'cifar10' | 'cifar100', dataDir: string | undefined): Promise<DatasetHeader> {
  const v = cifarVariant(name);
  const dir = await locateCifar(v, dataDir);
  const trainCount = await countRecords(v, dir, v.trainFiles);
  const testCount = await countRecords(v, dir, v.testFiles);
  return {
    name: v.name,
    shape: [CIFAR_SIDE, CIFAR_SIDE, 3],
    classes: v.classes,
    classNames: await cifarClassNames(v, dir),
    trainCount,
    testCount,
    augmentable: AUGMENTABLE[v.name],
    source: `${v.label} binary files in ${dir}`,
  };
}
