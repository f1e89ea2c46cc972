/**
 * CIFAR-10 / CIFAR-100 in the official binary format (https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * CIFAR-10 record: 1 label byte + 3072 pixel bytes; CIFAR-100 record: coarse label byte, fine label
 * byte + 3072 pixel bytes. Pixels are three 32×32 planes (R, G, B), each row-major; we convert to
 * interleaved NHWC bytes, the layout tfjs wants. Every file is checked before use: a size that is
 * not a whole number of records or a label out of range is refused with the file, the byte offset
 * and the record size, because a silently half-read dataset is the worst kind of bug.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CIFAR_PIXELS as PIXELS,
  CIFAR_SIDE as SIDE,
  cifarClassNames,
  cifarRecords,
  cifarVariant,
  locateCifar,
  type CifarVariant as Variant,
} from '../../catalog/datasets/cifar';
import { DatasetError, type SourceDataset as Dataset, type Split } from './types';

const PLANE = SIDE * SIDE;

/** Parse and validate one binary file into NHWC bytes and labels. */
function parseCifarBuffer(
  v: Variant,
  file: string,
  buf: Uint8Array,
): { images: Uint8Array; labels: Uint16Array; count: number } {
  const rec = v.labelBytes + PIXELS;
  const count = cifarRecords(v, file, buf.length);
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

async function loadCifar(v: Variant, dataDir: string | undefined): Promise<Dataset> {
  const dir = await locateCifar(v, dataDir);
  const train = await readSplit(v, dir, v.trainFiles);
  const test = await readSplit(v, dir, v.testFiles);
  return {
    name: v.name,
    shape: [SIDE, SIDE, 3],
    classes: v.classes,
    classNames: await cifarClassNames(v, dir),
    train,
    test,
    mean: [...v.mean],
    std: [...v.std],
    augmentable: true,
    source: `${v.label} binary files in ${dir}`,
  };
}

export function loadCifar10(dataDir: string | undefined): Promise<Dataset> {
  return loadCifar(cifarVariant('cifar10'), dataDir);
}

export function loadCifar100(dataDir: string | undefined): Promise<Dataset> {
  return loadCifar(cifarVariant('cifar100'), dataDir);
}
