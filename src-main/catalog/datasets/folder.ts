/**
 * An image folder: one subfolder per class, PNG or JPEG files inside. Two layouts:
 *   <dir>/train/<class>/*  +  <dir>/test/<class>/*   (the split is given), or
 *   <dir>/<class>/*                                    (split here: in each class, files sorted by
 *                                                        name, every fifth one — indices 4, 9, 14… — is
 *                                                        a test image, so 80/20 and spread over the
 *                                                        whole name range rather than its tail).
 * Every image is resized to one shape (default 32×32×3). Hidden entries (".*") and files that are
 * not .png/.jpg/.jpeg are ignored.
 *
 * The scan (which file is which class and split) is a directory listing; engine/data/folder.ts
 * decodes the files of a scan.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AUGMENTABLE, FOLDER_DEFAULT_SHAPE, type ImageShape } from '../../shared/run-config';
import { DatasetError } from './errors';
import type { DatasetHeader } from './header';
const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** Code-unit order, so the split does not depend on the machine's locale. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function listDirs(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  const dirs: string[] = [];
  for (const n of names) if (await isDir(join(dir, n))) dirs.push(n);
  return dirs.sort(byName);
}

async function listImages(dir: string): Promise<string[]> {
  if (!(await isDir(dir))) return [];
  return (await readdir(dir)).filter((n) => !n.startsWith('.') && IMAGE_EXT.test(n)).sort(byName);
}

export interface FolderEntry {
  file: string;
  label: number;
}

export interface FolderScan {
  dataDir: string;
  /** train/ and test/ were given (else the 80/20 split by file name). */
  presplit: boolean;
  classNames: string[];
  train: FolderEntry[];
  test: FolderEntry[];
}

export async function scanImageFolder(dataDir: string | undefined): Promise<FolderScan> {
  if (!dataDir) throw new DatasetError('An image-folder dataset needs a folder (dataset.dataDir).');
  if (!(await isDir(dataDir))) throw new DatasetError(`Image folder ${dataDir} does not exist or is not a folder.`);

  const trainDir = join(dataDir, 'train');
  const testDir = join(dataDir, 'test');
  const presplit = (await isDir(trainDir)) && (await isDir(testDir));
  const classDir = presplit ? trainDir : dataDir;
  const classNames = await listDirs(classDir);
  if (classNames.length === 0) {
    throw new DatasetError(`Image folder ${classDir} has no class subfolders (expected ${classDir}/<class>/<image>.png or .jpg).`);
  }
  if (classNames.length < 2) {
    throw new DatasetError(`Image folder ${classDir} has only one class subfolder (${classNames[0]}); at least 2 are needed.`);
  }
  if (presplit) {
    const extra = (await listDirs(testDir)).filter((n) => !classNames.includes(n));
    if (extra.length > 0) {
      throw new DatasetError(`Test folder ${join(testDir, extra[0]!)} is a class that ${trainDir} does not have.`);
    }
  }

  const train: FolderEntry[] = [];
  const test: FolderEntry[] = [];
  for (const [label, name] of classNames.entries()) {
    const dir = join(classDir, name);
    const files = await listImages(dir);
    if (files.length === 0) {
      throw new DatasetError(`Class folder ${dir} contains no PNG or JPEG images.`);
    }
    if (presplit) {
      for (const f of files) train.push({ file: join(dir, f), label });
      for (const f of await listImages(join(testDir, name))) test.push({ file: join(testDir, name, f), label });
    } else {
      files.forEach((f, i) => (i % 5 === 4 ? test : train).push({ file: join(dir, f), label }));
    }
  }
  return { dataDir, presplit, classNames, train, test };
}

/** Header of a scanned folder whose images are resized to `shape`. */
export function folderHeaderOf(scan: FolderScan, shape: ImageShape = FOLDER_DEFAULT_SHAPE): DatasetHeader {
  return {
    name: 'folder',
    shape: [...shape],
    classes: scan.classNames.length,
    classNames: [...scan.classNames],
    trainCount: scan.train.length,
    testCount: scan.test.length,
    augmentable: AUGMENTABLE.folder,
    source: `image folder ${scan.dataDir} (${scan.presplit ? 'train/ and test/ given' : '80/20 split per class by file name'}, resized to ${shape.join('×')})`,
  };
}

export async function folderHeader(dataDir: string | undefined, shape?: ImageShape): Promise<DatasetHeader> {
  return folderHeaderOf(await scanImageFolder(dataDir), shape);
}
