import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR100_CLASS_NAMES, CIFAR10_CLASS_NAMES, CIFAR10_MEAN } from '../../catalog/datasets/cifar';
import { loadDataset } from './index';
import {
  FIXTURE_TEST_OFFSET,
  fixtureLabel,
  fixturePixel,
  writeCifar100Fixture,
  writeCifar10Fixture,
  type CifarCorruption,
} from '../../catalog/datasets/testing/fixtures';
import { DatasetError, type Split } from './types';

const root = mkdtempSync(join(tmpdir(), 'ffr-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `d${n++}`);

/** Every byte of every image equals the fixture formula in NHWC order. */
function expectPixels(split: Split, firstRecord: number): void {
  for (let i = 0; i < split.count; i++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          const got = split.images[i * 3072 + (y * 32 + x) * 3 + c];
          if (got !== fixturePixel(firstRecord + i, c, y, x)) {
            throw new Error(`image ${i} (${y},${x},${c}): ${got} != ${fixturePixel(firstRecord + i, c, y, x)}`);
          }
        }
      }
    }
  }
}

async function refusal(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('CIFAR-10 binary', () => {
  it('parses generated batches pixel-exactly into NHWC with labels and default class names', async () => {
    const fx = writeCifar10Fixture(fresh(), { perBatch: 3 });
    const ds = await loadDataset({ name: 'cifar10', dataDir: fx.dataDir });
    expect(ds.shape).toEqual([32, 32, 3]);
    expect(ds.classes).toBe(10);
    expect(ds.train.count).toBe(15);
    expect(ds.test.count).toBe(3);
    expect(Array.from(ds.train.labels)).toEqual(Array.from({ length: 15 }, (_, r) => fixtureLabel(r, 10)));
    expect(Array.from(ds.test.labels)).toEqual([0, 1, 2].map((i) => fixtureLabel(FIXTURE_TEST_OFFSET + i, 10)));
    expectPixels(ds.train, 0);
    expectPixels(ds.test, FIXTURE_TEST_OFFSET);
    expect(ds.classNames).toEqual(CIFAR10_CLASS_NAMES);
    expect(ds.mean).toEqual(CIFAR10_MEAN);
    expect(ds.augmentable).toBe(true);
  });

  it('finds the official subfolder and reads batches.meta.txt', async () => {
    const names = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'];
    const fx = writeCifar10Fixture(fresh(), { perBatch: 1, subfolder: true, classNames: names });
    const ds = await loadDataset({ name: 'cifar10', dataDir: fx.dataDir });
    expect(ds.classNames).toEqual(names);
    expect(ds.train.count).toBe(5);
    expect(ds.source).toContain('cifar-10-batches-bin');
  });

  it('refuses a truncated file naming the file, the offset and the record size', async () => {
    const fx = writeCifar10Fixture(fresh(), { perBatch: 3, corrupt: 'truncate' });
    const e = await refusal(loadDataset({ name: 'cifar10', dataDir: fx.dataDir }));
    expect(e.message).toContain(fx.corruptFile!);
    expect(e.message).toContain('data_batch_3.bin');
    expect(e.message).toContain('3073-byte records');
    expect(e.message).toContain(`byte ${fx.corruptOffset}`);
    expect(fx.corruptOffset).toBe(2 * 3073);
    expect(e.message).toMatch(/is truncated or malformed: 9119 bytes/);
  });

  it('refuses a file of the wrong record size', async () => {
    const fx = writeCifar10Fixture(fresh(), { perBatch: 2, corrupt: 'wrong-record-size' });
    const e = await refusal(loadDataset({ name: 'cifar10', dataDir: fx.dataDir }));
    expect(e.message).toContain(fx.corruptFile!);
    expect(e.message).toContain('3073-byte records');
    expect(e.message).toContain(`byte ${fx.corruptOffset}`);
  });

  it('refuses an out-of-range label naming the file, the offset and the record size', async () => {
    const fx = writeCifar10Fixture(fresh(), { perBatch: 3, corrupt: 'bad-label' });
    const e = await refusal(loadDataset({ name: 'cifar10', dataDir: fx.dataDir }));
    expect(e.message).toContain(fx.corruptFile!);
    expect(e.message).toContain('label 12 at byte 3073');
    expect(e.message).toContain('records are 3073 bytes');
  });

  it.each<[CifarCorruption, RegExp]>([
    ['missing', /data_batch_4\.bin is missing/],
    ['empty', /test_batch\.bin is empty/],
  ])('refuses a %s file', async (corrupt, pattern) => {
    const fx = writeCifar10Fixture(fresh(), { perBatch: 1, corrupt });
    const e = await refusal(loadDataset({ name: 'cifar10', dataDir: fx.dataDir }));
    expect(e.message).toMatch(pattern);
    expect(e.message).toContain(fx.corruptFile!);
  });

  it('refuses a missing folder, no folder, and a folder without CIFAR files', async () => {
    const missing = join(root, 'nope');
    expect((await refusal(loadDataset({ name: 'cifar10', dataDir: missing }))).message).toContain(missing);
    expect((await refusal(loadDataset({ name: 'cifar10' }))).message).toMatch(/dataDir/);
    const empty = fresh();
    writeCifar100Fixture(empty, { perBatch: 1 }); // CIFAR-100 files are not CIFAR-10 files
    expect((await refusal(loadDataset({ name: 'cifar10', dataDir: empty }))).message).toContain(
      join(empty, 'data_batch_1.bin'),
    );
  });

  it('every refusal is one sentence', async () => {
    const fx = writeCifar10Fixture(fresh(), { perBatch: 2, corrupt: 'truncate' });
    const e = await refusal(loadDataset({ name: 'cifar10', dataDir: fx.dataDir }));
    expect(e.message.trim().endsWith('.')).toBe(true);
    expect(e.message.split(/\.\s+[A-Z]/).length).toBe(1);
  });
});

describe('CIFAR-100 binary', () => {
  it('uses the fine label, 100 classes, pixel-exact NHWC, default names', async () => {
    const fx = writeCifar100Fixture(fresh(), { perBatch: 40 });
    const ds = await loadDataset({ name: 'cifar100', dataDir: fx.dataDir });
    expect(ds.classes).toBe(100);
    expect(ds.train.count).toBe(40);
    expect(Array.from(ds.train.labels)).toEqual(Array.from({ length: 40 }, (_, r) => fixtureLabel(r, 100)));
    expect(Math.max(...ds.train.labels)).toBeGreaterThanOrEqual(20); // fine, not coarse
    expectPixels(ds.train, 0);
    expectPixels(ds.test, FIXTURE_TEST_OFFSET);
    expect(ds.classNames).toEqual(CIFAR100_CLASS_NAMES);
    expect(new Set(CIFAR100_CLASS_NAMES).size).toBe(100);
  });

  it('reads fine_label_names.txt from the official subfolder', async () => {
    const names = Array.from({ length: 100 }, (_, k) => `fine${k}`);
    const fx = writeCifar100Fixture(fresh(), { perBatch: 2, subfolder: true, classNames: names });
    const ds = await loadDataset({ name: 'cifar100', dataDir: fx.dataDir });
    expect(ds.classNames).toEqual(names);
  });

  it.each<CifarCorruption>(['truncate', 'bad-label', 'wrong-record-size'])(
    'refuses a %s file naming the file, the offset and the 3074-byte record size',
    async (corrupt) => {
      const fx = writeCifar100Fixture(fresh(), { perBatch: 3, corrupt });
      const e = await refusal(loadDataset({ name: 'cifar100', dataDir: fx.dataDir }));
      expect(e.message).toContain(fx.corruptFile!);
      expect(e.message).toMatch(/3074-byte records|records are 3074 bytes/);
      expect(e.message).toContain(`byte ${fx.corruptOffset}`);
    },
  );

  it('refuses a missing test.bin', async () => {
    const fx = writeCifar100Fixture(fresh(), { perBatch: 1, corrupt: 'missing' });
    const e = await refusal(loadDataset({ name: 'cifar100', dataDir: fx.dataDir }));
    expect(e.message).toContain(fx.corruptFile!);
  });
});
