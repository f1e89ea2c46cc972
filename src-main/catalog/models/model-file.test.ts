/**
 * Model and checkpoint files: the checksum finds damage and names the file; writes are complete or
 * absent, never truncated under the final name: short writes are repeated, a full disk (injected at
 * the write call, and for real on a small tmpfs where mounting is permitted) removes the temporary
 * file and leaves the previous file intact.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mountTmpfs, tmpfsAvailability } from '../../faults/tmpfs';
import { buildModelSpec } from './builders';
import { type ModelFile, type NamedValues, type WriteChunk, readModelFile, verifyModelFile, writeModelFile } from './model-file';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-ckpt-'));
  dirs.push(d);
  return d;
}

/** A model file of about `floats` × 4 bytes with deterministic values. */
function model(floats = 1000, epoch = 3): ModelFile {
  const spec = buildModelSpec('mlp', { inputShape: [8, 8, 1], classes: 3, width: 1, shortcut: 'A' });
  const weights: NamedValues = new Map([
    ['fc1/kernel', { shape: [floats / 2], values: Float32Array.from({ length: floats / 2 }, (_, i) => Math.sin(i)) }],
    ['fc1/bias', { shape: [floats / 4], values: Float32Array.from({ length: floats / 4 }, (_, i) => i / 7) }],
  ]);
  const optimizer: NamedValues = new Map([['fc1/kernel/momentum', { shape: [floats / 4], values: new Float32Array(floats / 4).fill(0.5) }]]);
  return { spec, epoch, weights, optimizerStep: 42, optimizer, extra: { note: 'test' } };
}

function files(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('model files', () => {
  it('round-trip with their checksum', () => {
    const file = path.join(tempDir(), 'epoch-0003.ffrm');
    const m = model();
    const bytes = writeModelFile(file, m);
    expect(fs.statSync(file).size).toBe(bytes);
    expect(verifyModelFile(file)).toBeNull();
    const back = readModelFile(file);
    expect(back.epoch).toBe(3);
    expect(back.optimizerStep).toBe(42);
    expect(back.extra).toEqual({ note: 'test' });
    expect([...back.weights.get('fc1/kernel')!.values]).toEqual([...m.weights.get('fc1/kernel')!.values]);
    expect([...back.optimizer.get('fc1/kernel/momentum')!.values]).toEqual([...m.optimizer.get('fc1/kernel/momentum')!.values]);
  });

  it('report a changed byte anywhere, a cut-off end and a foreign file by name', () => {
    const dir = tempDir();
    const file = path.join(dir, 'epoch-0003.ffrm');
    writeModelFile(file, model());
    const good = fs.readFileSync(file);
    // One flipped bit in the float data: without the checksum this loads as a slightly different model.
    const flipped = Buffer.from(good);
    flipped[good.length - 100]! ^= 0x01;
    fs.writeFileSync(file, flipped);
    const damaged = `Model file ${file} is damaged: its checksum does not match its contents (the file was cut short or changed after it was written).`;
    expect(verifyModelFile(file)).toBe(damaged);
    expect(() => readModelFile(file)).toThrow(damaged);
    fs.writeFileSync(file, good.subarray(0, 2048));
    expect(() => readModelFile(file)).toThrow(`Model file ${file} is damaged:`);
    fs.writeFileSync(file, 'not a model');
    expect(() => readModelFile(file)).toThrow(`Model file ${file} is not an FFR Workbench model or checkpoint.`);
    fs.rmSync(file);
    expect(verifyModelFile(file)).toBe(`Model file ${file} cannot be read: it does not exist.`);
  });

  it('still reads version-1 files (no checksum), written before checksums existed', () => {
    const file = path.join(tempDir(), 'old.ffrm');
    writeModelFile(file, model(8));
    // Rebuild the same content in the version-1 layout: other magic, header version 1, no trailer.
    const v2 = fs.readFileSync(file);
    const headerLength = v2.readUInt32LE(8);
    const header = JSON.parse(v2.toString('utf8', 12, 12 + headerLength)) as Record<string, unknown>;
    let h1 = Buffer.from(JSON.stringify({ ...header, version: 1 }));
    h1 = Buffer.concat([h1, Buffer.alloc(Math.ceil(h1.length / 4) * 4 - h1.length, 0x20)]);
    const prefix = Buffer.alloc(12);
    prefix.write('FFRMODL1', 0, 'ascii');
    prefix.writeUInt32LE(h1.length, 8);
    fs.writeFileSync(file, Buffer.concat([prefix, h1, v2.subarray(12 + headerLength, v2.length - 32)]));
    expect(verifyModelFile(file)).toBeNull();
    expect([...readModelFile(file).weights.get('fc1/bias')!.values]).toEqual([0, 1 / 7].map((x) => Math.fround(x)));
  });

  it('repeat short writes until everything is written', () => {
    const file = path.join(tempDir(), 'epoch-0001.ffrm');
    const calls: number[] = [];
    // Fault injection at the write call: the file system accepts at most 777 bytes per call.
    const shortWrites: WriteChunk = (fd, buffer, offset, length) => {
      const n = fs.writeSync(fd, buffer, offset, Math.min(length, 777));
      calls.push(n);
      return n;
    };
    const bytes = writeModelFile(file, model(4000), { write: shortWrites });
    expect(calls.length).toBeGreaterThan(bytes / 777 - 1);
    expect(fs.statSync(file).size).toBe(bytes);
    expect(verifyModelFile(file)).toBeNull();
  });

  it('on a full disk (injected): fail with one sentence, remove the temporary file, keep the previous file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'epoch-0001.ffrm');
    writeModelFile(file, model(100, 1));
    const previous = fs.readFileSync(file);
    // Fault injection at the write call: 204,800 bytes fit, then short writes, then ENOSPC, as on a
    // file system that fills up while the file is written.
    let room = 204_800;
    const fillingDisk: WriteChunk = (fd, buffer, offset, length) => {
      if (room === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const n = fs.writeSync(fd, buffer, offset, Math.min(length, room));
      room -= n;
      return n;
    };
    expect(() => writeModelFile(file, model(250_000, 2), { write: fillingDisk })).toThrow(
      `Writing the model file ${file} failed: the disk is full.`,
    );
    expect(files(dir)).toEqual(['epoch-0001.ffrm']);
    expect(fs.readFileSync(file).equals(previous)).toBe(true);
    // A file system that reports 0 bytes written (and no error) is full too, not an endless loop.
    expect(() => writeModelFile(path.join(dir, 'x.ffrm'), model(), { write: () => 0 })).toThrow('failed: the disk is full.');
    expect(files(dir)).toEqual(['epoch-0001.ffrm']);
  });

  it('check what reached the disk before the rename: a file system that drops or garbles bytes while reporting success', () => {
    const dir = tempDir();
    const file = path.join(dir, 'epoch-0001.ffrm');
    writeModelFile(file, model(100, 1));
    const previous = fs.readFileSync(file);
    // Fault injection: the write call claims every byte but stores only the first half of each chunk.
    const dropping: WriteChunk = (fd, buffer, offset, length) => {
      fs.writeSync(fd, buffer, offset, Math.ceil(length / 2));
      return length;
    };
    expect(() => writeModelFile(file, model(4000, 2), { write: dropping })).toThrow(
      new RegExp(`^Writing the model file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} failed: only \\d+ of \\d+ bytes reached the disk\\.$`),
    );
    // Fault injection: every byte arrives, but one byte of the weights is changed on the way.
    const garbling: WriteChunk = (fd, buffer, offset, length) => {
      const chunk = Buffer.from(buffer.subarray(offset, offset + length));
      if (length > 10_000) chunk[length >> 1]! ^= 0x10;
      return fs.writeSync(fd, chunk, 0, length);
    };
    expect(() => writeModelFile(file, model(4000, 2), { write: garbling })).toThrow(
      `Writing the model file ${file} failed: the written file does not read back intact: its checksum does not match its contents (the file was cut short or changed after it was written).`,
    );
    expect(files(dir)).toEqual(['epoch-0001.ffrm']);
    expect(fs.readFileSync(file).equals(previous)).toBe(true);
  });

  const tmpfs = tmpfsAvailability();
  it.skipIf(!tmpfs.available)(
    `on a full disk (a real 256 KiB tmpfs)${tmpfs.available ? '' : `: skipped, ${tmpfs.reason}`}`,
    () => {
      const mount = mountTmpfs(256 * 1024);
      if ('unavailable' in mount) throw new Error(mount.unavailable);
      try {
        const file = path.join(mount.dir, 'epoch-0001.ffrm');
        writeModelFile(file, model(1000, 1));
        const previous = fs.readFileSync(file);
        expect(() => writeModelFile(file, model(125_000, 2))).toThrow(`Writing the model file ${file} failed: the disk is full.`);
        expect(files(mount.dir)).toEqual(['epoch-0001.ffrm']);
        expect(fs.readFileSync(file).equals(previous)).toBe(true);
        expect(readModelFile(file).epoch).toBe(1);
      } finally {
        mount.unmount();
      }
    },
  );
});
