/**
 * A dataset's header (what the host reads: catalog/datasets) says exactly what loading it gives
 * (what a trainer reads), for every kind of dataset, and both refuse a bad layout the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDatasetHeader } from '../../catalog/datasets/header';
import { writeCifar100Fixture, writeCifar10Fixture, writeImageFolderFixture } from '../../catalog/datasets/testing/fixtures';
import type { DatasetRef } from '../../shared/run-config';
import { loadDataset, type LoadOptions } from './index';

const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ffr-header-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function expectHeaderMatchesLoad(ref: DatasetRef, opts: LoadOptions = {}): Promise<void> {
  const [header, ds] = await Promise.all([readDatasetHeader(ref, opts), loadDataset(ref, opts)]);
  expect(header).toEqual({
    name: ds.name,
    shape: ds.shape,
    classes: ds.classes,
    classNames: ds.classNames,
    trainCount: ds.train.count,
    testCount: ds.test.count,
    augmentable: ds.augmentable,
    source: ds.source,
  });
}

describe('dataset headers', () => {
  it('bundled MNIST, whole and limited', async () => {
    await expectHeaderMatchesLoad({ name: 'mnist' });
    await expectHeaderMatchesLoad({ name: 'mnist' }, { trainLimit: 300, testLimit: 50 });
  });

  it('synthetic data, defaults and sizes given', async () => {
    await expectHeaderMatchesLoad({ name: 'synthetic' });
    await expectHeaderMatchesLoad({ name: 'synthetic', shape: [6, 5, 2], classes: 3, trainSize: 20, testSize: 7 }, { seed: 4 });
  });

  it('CIFAR-10 and CIFAR-100 folders (files in the folder or its official subfolder)', async () => {
    const c10 = writeCifar10Fixture(temp(), { perBatch: 6, subfolder: true });
    await expectHeaderMatchesLoad({ name: 'cifar10', dataDir: c10.dataDir });
    const c100 = writeCifar100Fixture(temp(), { perBatch: 12, classNames: Array.from({ length: 100 }, (_, i) => `c${i}`) });
    await expectHeaderMatchesLoad({ name: 'cifar100', dataDir: c100.dataDir }, { trainLimit: 5 });
  });

  it('image folders, flat (80/20 by name) and split, resized', async () => {
    const flat = writeImageFolderFixture(temp(), { classes: ['a', 'b', 'c'], perClass: 7 });
    await expectHeaderMatchesLoad({ name: 'folder', dataDir: flat });
    const split = writeImageFolderFixture(temp(), { layout: 'split', perClass: 3 });
    await expectHeaderMatchesLoad({ name: 'folder', dataDir: split, shape: [8, 8, 1] });
  });

  it('a bad layout is refused with the same sentence by the header and by loading', async () => {
    const truncated = writeCifar10Fixture(temp(), { perBatch: 4, corrupt: 'truncate' });
    for (const ref of [
      { name: 'folder', dataDir: '/nonexistent/ffr-images' },
      { name: 'cifar10', dataDir: truncated.dataDir },
      { name: 'cifar100' },
      { name: 'folder', dataDir: writeImageFolderFixture(temp(), { classes: ['only'] }) },
    ] as DatasetRef[]) {
      const fromHeader = await readDatasetHeader(ref).catch((e: Error) => e.message);
      const fromLoad = await loadDataset(ref).catch((e: Error) => e.message);
      expect(fromHeader).toMatch(/\.$/);
      expect(fromHeader).toBe(fromLoad);
    }
  });
});
