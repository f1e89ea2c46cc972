import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { resizeInto } from './image-decode';
import { loadDataset } from './index';
import { classCounts } from './split';
import { fixtureClassColor, writeImageFolderFixture } from '../../catalog/datasets/testing/fixtures';
import { DatasetError, type Split } from './types';

const root = mkdtempSync(join(tmpdir(), 'ffr-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `d${n++}`);

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return (e as Error).message;
  }
  throw new Error('expected a DatasetError');
}

/** Every pixel of every image within `tol` of its class colour. */
function expectClassColors(split: Split, channels: number, tol: number, gray = false): void {
  const size = 32 * 32 * channels;
  for (let i = 0; i < split.count; i++) {
    const [r, g, b] = fixtureClassColor(split.labels[i]!);
    const luma = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    const want = channels === 1 || gray ? [luma, luma, luma] : [r, g, b];
    for (let p = 0; p < 32 * 32; p++) {
      for (let c = 0; c < channels; c++) {
        const got = split.images[i * size + p * channels + c]!;
        if (Math.abs(got - want[c]!) > tol) throw new Error(`image ${i} pixel ${p} channel ${c}: ${got} vs ${want[c]}`);
      }
    }
  }
}

describe('image folder', () => {
  it('loads <class>/ folders with an 80/20 split per class by sorted file name, resized to 32×32×3', async () => {
    const dir = writeImageFolderFixture(fresh(), { classes: ['cat', 'dog', 'eel'], perClass: 10 });
    const ds = await loadDataset({ name: 'folder', dataDir: dir });
    expect(ds.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(ds.shape).toEqual([32, 32, 3]);
    expect(classCounts(ds.train.labels, ds.train.count, 3)).toEqual([8, 8, 8]);
    expect(classCounts(ds.test.labels, ds.test.count, 3)).toEqual([2, 2, 2]);
    expectClassColors(ds.train, 3, 0);
    expectClassColors(ds.test, 3, 0);
    expect(ds.augmentable).toBe(true);
  });

  it('uses train/ and test/ when both exist, reads JPEG and PNG, honours ref.shape', async () => {
    const dir = writeImageFolderFixture(fresh(), { layout: 'split', perClass: 3, format: 'mixed' });
    const ds = await loadDataset({ name: 'folder', dataDir: dir });
    expect(ds.train.count).toBe(6);
    expect(ds.test.count).toBe(6);
    expectClassColors(ds.train, 3, 6); // JPEG is lossy
    const gray = await loadDataset({ name: 'folder', dataDir: dir, shape: [32, 32, 1] });
    expect(gray.train.images.length).toBe(6 * 32 * 32);
    expectClassColors(gray.train, 1, 6);
  });

  it('turns grayscale images into 3 equal channels', async () => {
    const dir = writeImageFolderFixture(fresh(), { perClass: 5, grayscale: true });
    const ds = await loadDataset({ name: 'folder', dataDir: dir });
    expectClassColors(ds.train, 3, 1, true);
  });

  it('is deterministic', async () => {
    const dir = writeImageFolderFixture(fresh(), { perClass: 7, format: 'mixed' });
    const a = await loadDataset({ name: 'folder', dataDir: dir });
    const b = await loadDataset({ name: 'folder', dataDir: dir });
    expect(Buffer.compare(Buffer.from(a.train.images), Buffer.from(b.train.images))).toBe(0);
    expect(Array.from(a.test.labels)).toEqual(Array.from(b.test.labels));
  });

  it('refuses a folder without class subfolders, naming it', async () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'hi');
    const msg = await refusal(loadDataset({ name: 'folder', dataDir: dir }));
    expect(msg).toContain(dir);
    expect(msg).toMatch(/no class subfolders/);
    expect(await refusal(loadDataset({ name: 'folder', dataDir: join(dir, 'missing') }))).toContain('missing');
    expect(await refusal(loadDataset({ name: 'folder' }))).toMatch(/dataDir/);
  });

  it('refuses an empty class folder and an unreadable image, naming them', async () => {
    const dir = writeImageFolderFixture(fresh(), { perClass: 2 });
    mkdirSync(join(dir, 'zebra'));
    expect(await refusal(loadDataset({ name: 'folder', dataDir: dir }))).toContain(join(dir, 'zebra'));
    rmSync(join(dir, 'zebra'), { recursive: true });
    const bad = join(dir, 'dog', 'broken.png');
    writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    const msg = await refusal(loadDataset({ name: 'folder', dataDir: dir }));
    expect(msg).toContain(bad);
    expect(msg).toMatch(/could not be read as PNG/);
    writeFileSync(bad, 'not an image');
    expect(await refusal(loadDataset({ name: 'folder', dataDir: dir }))).toContain(bad);
  });

  it('bilinear resize keeps a gradient monotone and its ends', () => {
    const png = new PNG({ width: 8, height: 1 });
    for (let x = 0; x < 8; x++) png.data.set([x * 30, 0, 0, 255], x * 4);
    const out = new Uint8Array(16 * 2);
    resizeInto({ width: 8, height: 1, data: png.data }, 2, 16, 1, out, 0);
    const row = Array.from(out.subarray(0, 16));
    for (let x = 1; x < 16; x++) expect(row[x]!).toBeGreaterThanOrEqual(row[x - 1]!);
    expect(row[0]).toBe(0);
    expect(row[15]).toBe(Math.round(0.299 * 210));
  });
});
