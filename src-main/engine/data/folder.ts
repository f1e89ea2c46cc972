/**
 * An image folder: one subfolder per class, PNG or JPEG files inside. Two layouts:
 *   <dir>/train/<class>/*  +  <dir>/test/<class>/*   (the split is given), or
 *   <dir>/<class>/*                                    (split here: in each class, files sorted by
 *                                                        name, every fifth one — indices 4, 9, 14… — is
 *                                                        a test image, so 80/20 and spread over the
 *                                                        whole name range rather than its tail).
 * Every image is resized to one shape (default 32×32×3). Hidden entries (".*") and files that are
 * not .png/.jpg/.jpeg are ignored.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageShape } from '../../shared/run-config';
import { decodeImage, resizeInto } from './image-decode';
import { channelStats } from './split';
import { DatasetError, imageSize, type Dataset, type Split } from './types';

export const FOLDER_DEFAULT_SHAPE: ImageShape = [32, 32, 3];
const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** Code-unit order, so the split does not depend on the machine's locale. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function listDirs(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && isDir(join(dir, n)))
    .sort(byName);
}

function listImages(dir: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && IMAGE_EXT.test(n))
    .sort(byName);
}

interface Entry {
  file: string;
  label: number;
}

function readSplit(entries: Entry[], shape: ImageShape): Split {
  const [h, w, c] = shape;
  const size = imageSize(shape);
  const images = new Uint8Array(entries.length * size);
  const labels = new Uint16Array(entries.length);
  entries.forEach((e, i) => {
    let buf: Uint8Array;
    try {
      buf = readFileSync(e.file);
    } catch {
      throw new DatasetError(`Image file ${e.file} could not be read.`);
    }
    resizeInto(decodeImage(e.file, buf), h, w, c, images, i * size);
    labels[i] = e.label;
  });
  return { images, labels, count: entries.length };
}

export function loadImageFolder(dataDir: string | undefined, shape: ImageShape = FOLDER_DEFAULT_SHAPE): Dataset {
  if (!dataDir) throw new DatasetError('An image-folder dataset needs a folder (dataset.dataDir).');
  if (!isDir(dataDir)) throw new DatasetError(`Image folder ${dataDir} does not exist or is not a folder.`);

  const trainDir = join(dataDir, 'train');
  const testDir = join(dataDir, 'test');
  const presplit = isDir(trainDir) && isDir(testDir);
  const classDir = presplit ? trainDir : dataDir;
  const classNames = listDirs(classDir);
  if (classNames.length === 0) {
    throw new DatasetError(
      `Image folder ${classDir} has no class subfolders (expected ${classDir}/<class>/<image>.png or .jpg).`,
    );
  }
  if (classNames.length < 2) {
    throw new DatasetError(`Image folder ${classDir} has only one class subfolder (${classNames[0]}); at least 2 are needed.`);
  }
  if (presplit) {
    const extra = listDirs(testDir).filter((n) => !classNames.includes(n));
    if (extra.length > 0) {
      throw new DatasetError(`Test folder ${join(testDir, extra[0]!)} is a class that ${trainDir} does not have.`);
    }
  }

  const train: Entry[] = [];
  const test: Entry[] = [];
  classNames.forEach((name, label) => {
    const dir = join(classDir, name);
    const files = listImages(dir);
    if (files.length === 0) {
      throw new DatasetError(`Class folder ${dir} contains no PNG or JPEG images.`);
    }
    if (presplit) {
      for (const f of files) train.push({ file: join(dir, f), label });
      for (const f of listImages(join(testDir, name))) test.push({ file: join(testDir, name, f), label });
    } else {
      files.forEach((f, i) => (i % 5 === 4 ? test : train).push({ file: join(dir, f), label }));
    }
  });

  const trainSplit = readSplit(train, shape);
  const testSplit = readSplit(test, shape);
  const { mean, std } = channelStats(trainSplit, shape[2]);
  return {
    name: 'folder',
    shape: [...shape],
    classes: classNames.length,
    classNames,
    train: trainSplit,
    test: testSplit,
    mean,
    std,
    augmentable: true,
    source: `image folder ${dataDir} (${presplit ? 'train/ and test/ given' : '80/20 split per class by file name'}, resized to ${shape.join('×')})`,
  };
}
