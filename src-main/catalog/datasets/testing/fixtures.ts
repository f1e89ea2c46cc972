/**
 * Generators of small on-disk datasets for tests (ours and other modules'): CIFAR-10 / CIFAR-100
 * binaries with known pixel values, optionally corrupted in one documented way, and image folders.
 * Pixel values follow fixturePixel(), so a test can check the NHWC conversion byte for byte.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

const PLANE = 1024;
const PIXELS = 3 * PLANE;

/** Pixel byte of record `record` (numbered across a split's files), channel c, row y, column x. */
export function fixturePixel(record: number, c: number, y: number, x: number): number {
  return (record * 7 + c * 85 + y * 11 + x * 3) & 255;
}

/** Class of record `record` among `classes`. */
export function fixtureLabel(record: number, classes: number): number {
  return (record * 3 + 1) % classes;
}

/** Test records are numbered from here, so train and test images differ. */
export const FIXTURE_TEST_OFFSET = 1000;

export type CifarCorruption =
  /** The last 100 bytes of a file are cut off (CIFAR-10: data_batch_3.bin; CIFAR-100: train.bin). */
  | 'truncate'
  /** Record 1 of a file has an out-of-range label (CIFAR-10: 12 in data_batch_2.bin; CIFAR-100: fine 140 in train.bin). */
  | 'bad-label'
  /** A file is missing (CIFAR-10: data_batch_4.bin; CIFAR-100: test.bin). */
  | 'missing'
  /** A file is empty (test_batch.bin / test.bin). */
  | 'empty'
  /** The first train file is written with the other format's record size (3074 vs 3073 bytes). */
  | 'wrong-record-size';

export interface CifarFixtureOptions {
  /** Records per file (CIFAR-100: per split file). */
  perBatch: number;
  corrupt?: CifarCorruption;
  /** Put the files in the official subfolder (cifar-10-batches-bin / cifar-100-binary). */
  subfolder?: boolean;
  /** Write the class-names file (batches.meta.txt / fine_label_names.txt) with these names. */
  classNames?: string[];
}

export interface CifarFixture {
  /** Pass this as dataset.dataDir. */
  dataDir: string;
  /** The folder the .bin files are in. */
  folder: string;
  trainCount: number;
  testCount: number;
  /** The corrupted file and the byte offset its error message should name, when corrupt is set. */
  corruptFile?: string;
  corruptOffset?: number;
  recordSize: number;
}

function records(first: number, count: number, labelBytes: number, labelsOf: (r: number) => number[]): Buffer {
  const rec = labelBytes + PIXELS;
  const buf = Buffer.alloc(count * rec);
  for (let i = 0; i < count; i++) {
    const r = first + i;
    const base = i * rec;
    labelsOf(r).forEach((v, b) => (buf[base + b] = v));
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) buf[base + labelBytes + c * PLANE + y * 32 + x] = fixturePixel(r, c, y, x);
      }
    }
  }
  return buf;
}

function applyCorruption(
  corrupt: CifarCorruption | undefined,
  files: Map<string, Buffer>,
  targets: { truncate: string; badLabel: string; missing: string; empty: string; wrongSize: string },
  rec: number,
  labelBytes: number,
  rewrite: (name: string) => Buffer,
): { file?: string; offset?: number } {
  switch (corrupt) {
    case undefined:
      return {};
    case 'truncate': {
      const b = files.get(targets.truncate)!;
      const cut = b.subarray(0, b.length - 100);
      files.set(targets.truncate, cut);
      return { file: targets.truncate, offset: Math.floor(cut.length / rec) * rec };
    }
    case 'bad-label': {
      const b = files.get(targets.badLabel)!;
      const at = rec + labelBytes - 1; // record 1, the class byte
      b[at] = labelBytes === 1 ? 12 : 140;
      return { file: targets.badLabel, offset: at };
    }
    case 'missing':
      files.delete(targets.missing);
      return { file: targets.missing };
    case 'empty':
      files.set(targets.empty, Buffer.alloc(0));
      return { file: targets.empty, offset: 0 };
    case 'wrong-record-size': {
      const b = rewrite(targets.wrongSize);
      files.set(targets.wrongSize, b);
      return { file: targets.wrongSize, offset: Math.floor(b.length / rec) * rec };
    }
  }
}

function writeAll(folder: string, files: Map<string, Buffer>, names: string | undefined, namesFile: string): void {
  mkdirSync(folder, { recursive: true });
  for (const [name, buf] of files) writeFileSync(join(folder, name), buf);
  if (names !== undefined) writeFileSync(join(folder, namesFile), names);
}

/** Five data_batch_N.bin + test_batch.bin of `perBatch` records each (labels fixtureLabel(r, 10)). */
export function writeCifar10Fixture(dir: string, opts: CifarFixtureOptions): CifarFixture {
  const n = opts.perBatch;
  const folder = opts.subfolder ? join(dir, 'cifar-10-batches-bin') : dir;
  const lab = (r: number): number[] => [fixtureLabel(r, 10)];
  const files = new Map<string, Buffer>();
  for (let b = 0; b < 5; b++) files.set(`data_batch_${b + 1}.bin`, records(b * n, n, 1, lab));
  files.set('test_batch.bin', records(FIXTURE_TEST_OFFSET, n, 1, lab));
  const bad = applyCorruption(
    opts.corrupt,
    files,
    {
      truncate: 'data_batch_3.bin',
      badLabel: 'data_batch_2.bin',
      missing: 'data_batch_4.bin',
      empty: 'test_batch.bin',
      wrongSize: 'data_batch_1.bin',
    },
    1 + PIXELS,
    1,
    () => records(0, n, 2, (r) => [0, fixtureLabel(r, 10)]),
  );
  // The official batches.meta.txt ends with blank lines; keep that quirk.
  const names = opts.classNames ? `${opts.classNames.join('\n')}\n\n` : undefined;
  writeAll(folder, files, names, 'batches.meta.txt');
  return {
    dataDir: dir,
    folder,
    trainCount: 5 * n,
    testCount: n,
    recordSize: 1 + PIXELS,
    ...(bad.file ? { corruptFile: join(folder, bad.file) } : {}),
    ...(bad.offset !== undefined ? { corruptOffset: bad.offset } : {}),
  };
}

/** train.bin + test.bin of `perBatch` records each (coarse label fine % 20, fine fixtureLabel(r, 100)). */
export function writeCifar100Fixture(dir: string, opts: CifarFixtureOptions): CifarFixture {
  const n = opts.perBatch;
  const folder = opts.subfolder ? join(dir, 'cifar-100-binary') : dir;
  const lab = (r: number): number[] => [fixtureLabel(r, 100) % 20, fixtureLabel(r, 100)];
  const files = new Map<string, Buffer>();
  files.set('train.bin', records(0, n, 2, lab));
  files.set('test.bin', records(FIXTURE_TEST_OFFSET, n, 2, lab));
  const bad = applyCorruption(
    opts.corrupt,
    files,
    { truncate: 'train.bin', badLabel: 'train.bin', missing: 'test.bin', empty: 'test.bin', wrongSize: 'train.bin' },
    2 + PIXELS,
    2,
    () => records(0, n, 1, (r) => [fixtureLabel(r, 10)]),
  );
  const names = opts.classNames ? `${opts.classNames.join('\n')}\n` : undefined;
  writeAll(folder, files, names, 'fine_label_names.txt');
  return {
    dataDir: dir,
    folder,
    trainCount: n,
    testCount: n,
    recordSize: 2 + PIXELS,
    ...(bad.file ? { corruptFile: join(folder, bad.file) } : {}),
    ...(bad.offset !== undefined ? { corruptOffset: bad.offset } : {}),
  };
}

export interface ImageFolderFixtureOptions {
  /** Class folder names (default ['cat', 'dog']). */
  classes?: string[];
  /** Images per class (flat layout) or per class and split (split layout). Default 5. */
  perClass?: number;
  /** 'flat' = <dir>/<class>/…, 'split' = <dir>/train/<class>/… + <dir>/test/<class>/…. Default flat. */
  layout?: 'flat' | 'split';
  /** Source image size [h, w]; default [16, 20] (not the target shape, so resizing is exercised). */
  size?: [number, number];
  /** Which files are JPEG (quality 95) instead of PNG: every odd image when 'mixed'. Default 'png'. */
  format?: 'png' | 'jpeg' | 'mixed';
  /** Write grayscale PNGs. */
  grayscale?: boolean;
}

/**
 * The uniform colour of class k's images: PNG images are a single flat colour, so any resize
 * returns exactly this colour (JPEG only approximately).
 */
export function fixtureClassColor(k: number): [number, number, number] {
  return [(40 + 70 * k) & 255, (200 - 50 * k) & 255, (90 + 30 * k) & 255];
}

/** Writes an image folder; returns the folder to pass as dataset.dataDir. */
export function writeImageFolderFixture(dir: string, opts: ImageFolderFixtureOptions = {}): string {
  const classes = opts.classes ?? ['cat', 'dog'];
  const per = opts.perClass ?? 5;
  const [h, w] = opts.size ?? [16, 20];
  const splits = opts.layout === 'split' ? ['train', 'test'] : [''];
  for (const split of splits) {
    classes.forEach((name, k) => {
      const folder = join(dir, split, name);
      mkdirSync(folder, { recursive: true });
      const [r, g, b] = fixtureClassColor(k);
      for (let i = 0; i < per; i++) {
        const rgba = Buffer.alloc(w * h * 4);
        for (let p = 0; p < w * h; p++) {
          const gray = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
          rgba[p * 4] = opts.grayscale ? gray : r;
          rgba[p * 4 + 1] = opts.grayscale ? gray : g;
          rgba[p * 4 + 2] = opts.grayscale ? gray : b;
          rgba[p * 4 + 3] = 255;
        }
        const asJpeg = opts.format === 'jpeg' || (opts.format === 'mixed' && i % 2 === 1);
        const stem = `img_${String(i).padStart(3, '0')}`;
        if (asJpeg) {
          writeFileSync(join(folder, `${stem}.jpg`), jpeg.encode({ data: rgba, width: w, height: h }, 95).data);
        } else {
          const png = new PNG({ width: w, height: h, colorType: opts.grayscale ? 0 : 2, inputHasAlpha: true });
          rgba.copy(png.data);
          writeFileSync(join(folder, `${stem}.png`), PNG.sync.write(png, { colorType: opts.grayscale ? 0 : 2, inputHasAlpha: true }));
        }
      }
    });
  }
  return dir;
}
