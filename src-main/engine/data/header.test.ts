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
    valCount: ds.val.count,
    testCount: ds.test.count,
    augmentable: ds.augmentable,
    source: ds.source,
  });
}

describe('dataset headers', () => {
  it('bundled MNIST, whole and limited', async () => {
    await expectHeaderMatchesLoad({ name: 'mnist' });
    await expectHeaderMatchesLoad({ name: 'mnist' }, { trainLimit: 300, testLimit: 50 });
    await expectHeaderMatchesLoad({ name: 'mnist' }, { trainLimit: 300, valFraction: 0.1 });
  });

  it('synthetic data, defaults and sizes given', async () => {
    await expectHeaderMatchesLoad({ name: 'synthetic' });
    await expectHeaderMatchesLoad({ name: 'synthetic', shape: [6, 5, 2], classes: 3, trainSize: 20, testSize: 7 }, { seed: 4 });
    await expectHeaderMatchesLoad({ name: 'synthetic', classes: 4, trainSize: 50, testSize: 8 }, { valFraction: 0.25 });
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
    await expectHeaderMatchesLoad({ name: 'folder', dataDir: flat }, { valFraction: 0.1 });
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

  it('splits left empty are refused with one sentence, by the header (before any row) and by loading alike', async () => {
    // Issue 9: 3 images per class in a flat folder left 0 test images and recorded 0 % test accuracy.
    const three = writeImageFolderFixture(temp(), { classes: ['a', 'b'], perClass: 3 });
    const cases: Array<[DatasetRef, LoadOptions, RegExp]> = [
      [{ name: 'folder', dataDir: three }, {}, /leaves the test set empty \(without train\/ and test\/ folders every fifth image of a class is a test image, so each class needs at least 5 images\); add images or give a test split\.$/],
      [{ name: 'synthetic', trainSize: 4, testSize: 2 }, { valFraction: 0.1 }, /^A validation fraction of 0\.1 of the 4 training images of the synthetic dataset leaves the validation set empty; raise --val-fraction or add images\.$/],
    ];
    for (const [ref, opts, sentence] of cases) {
      const fromHeader = await readDatasetHeader(ref, opts).catch((e: Error) => e.message);
      const fromLoad = await loadDataset(ref, opts).catch((e: Error) => e.message);
      expect(fromHeader).toMatch(sentence);
      expect(fromLoad).toBe(fromHeader);
    }
  });

  it('the validation set is held out of the training split: stratified, the same images whatever trainLimit, disjoint from training', async () => {
    const full = await loadDataset({ name: 'mnist' });
    const whole = await loadDataset({ name: 'mnist' }, { valFraction: 0.1 });
    const limited = await loadDataset({ name: 'mnist' }, { valFraction: 0.1, trainLimit: 1000 });
    expect(whole.train.count + whole.val.count + whole.test.count).toBe(10_000);
    expect(whole.val.count).toBe(Math.round(full.train.count * 0.1));
    expect(Buffer.compare(Buffer.from(limited.val.images), Buffer.from(whole.val.images))).toBe(0);
    expect(limited.train.count).toBe(1000);
    // Stratified: each class's share of the validation set is its share of the training split (±1 image).
    const counts = (labels: Uint16Array): number[] => Array.from({ length: 10 }, (_, k) => labels.filter((l) => l === k).length);
    const fullCounts = counts(full.train.labels);
    counts(whole.val.labels).forEach((n, k) => expect(Math.abs(n - fullCounts[k]! * 0.1)).toBeLessThanOrEqual(1));
    // Disjoint: no validation image is also a training image.
    const key = (s: { images: Uint8Array }, i: number): string => Buffer.from(s.images.subarray(i * 784, (i + 1) * 784)).toString('base64');
    const trainImages = new Set(Array.from({ length: whole.train.count }, (_, i) => key(whole.train, i)));
    const shared = Array.from({ length: whole.val.count }, (_, i) => key(whole.val, i)).filter((k) => trainImages.has(k));
    // Bundled MNIST has a handful of byte-identical digits; a held-out image may equal one of those, no more.
    expect(shared.length).toBeLessThan(5);
  });
});
