/**
 * Model and checkpoint files: one binary file holding a JSON header (the model spec, weight
 * layout, optimizer slots, epoch, extra data), little-endian float32 data and a checksum.
 *
 *   bytes 0–7   "FFRMODL2"
 *   bytes 8–11  header length H (uint32 LE)
 *   12 … 12+H   header JSON (UTF-8), padded with spaces to a multiple of 4
 *   then        float32 data, each tensor at header.tensors[i].offset (in floats), exactly as many
 *               floats as the tensors need
 *   last 32     SHA-256 of every byte before it
 *
 * Version 1 files ("FFRMODL1", no checksum, written before issue 9) are still read.
 *
 * The format lives in the catalog (pure, tfjs-free) because the host reads it too: resume checks
 * which checkpoints are intact (verifyModelFile) before it asks a trainer to load one. The engine
 * re-exports it from engine/train/checkpoint.ts.
 *
 * Writing is crash- and disk-full-safe: the bytes go to a temporary file in the same folder, every
 * write is repeated until all of it is written (a full disk can accept part of a write and report
 * the short count rather than fail), the file is fsynced, its size and checksum are read back, and
 * only then is it renamed over the final name (and the folder fsynced so the rename survives a power
 * cut). On any failure the temporary file is removed and the final name is untouched: a reader sees
 * the previous complete file or the new complete file, never part of one.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ModelSpec } from './spec';

const MAGIC = 'FFRMODL2';
const MAGIC_V1 = 'FFRMODL1';
const PREFIX_BYTES = 12;
const CHECKSUM_BYTES = 32;

const TensorEntry = z.object({ name: z.string(), shape: z.array(z.number().int()), offset: z.number().int() });
const Header = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  spec: z.custom<ModelSpec>((v) => typeof v === 'object' && v !== null && 'nodes' in v),
  epoch: z.number().int().min(0),
  weights: z.array(TensorEntry),
  optimizerStep: z.number().int().min(0),
  optimizer: z.array(TensorEntry),
  extra: z.record(z.string(), z.unknown()),
});
type Header = z.infer<typeof Header>;

export type NamedValues = Map<string, { shape: number[]; values: Float32Array }>;

export interface ModelFile {
  spec: ModelSpec;
  epoch: number;
  weights: NamedValues;
  optimizerStep: number;
  optimizer: NamedValues;
  extra: Record<string, unknown>;
}

/** A model file that cannot be used: missing, not ours, cut short, or changed since it was written. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one file-system call the writer makes per chunk (fs.writeSync's signature). Tests pass one that
 * writes short or fails, to check the loop and the clean-up without filling a disk.
 */
export type WriteChunk = (fd: number, buffer: Buffer, offset: number, length: number) => number;

const writeChunk: WriteChunk = (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length);

/** Writes all of `buffer`, repeating short writes; a write that makes no progress is an error. */
function writeFully(fd: number, buffer: Buffer, write: WriteChunk): void {
  let offset = 0;
  while (offset < buffer.length) {
    const written = write(fd, buffer, offset, buffer.length - offset);
    if (!(written > 0)) {
      throw Object.assign(new Error(`no progress writing ${buffer.length - offset} bytes`), { code: 'ENOSPC' });
    }
    offset += written;
  }
}

/** The end of a sentence for a failed write: "the disk is full", or the error's own words. */
function writeProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'its folder is read-only';
  return error instanceof Error ? error.message.replace(/[.\s]+$/, '') : String(error);
}

function sha256(...parts: Buffer[]): Buffer {
  const hash = crypto.createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest();
}

/** Makes a completed rename durable (POSIX); a no-op where folders cannot be opened (Windows). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not supported here; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes `m` to `file` atomically (see the top of this file); returns the file's size in bytes. */
export function writeModelFile(file: string, m: ModelFile, options: { write?: WriteChunk } = {}): number {
  const entries = (values: NamedValues, start: number): [Array<z.infer<typeof TensorEntry>>, number] => {
    const list: Array<z.infer<typeof TensorEntry>> = [];
    let offset = start;
    for (const [name, { shape, values: v }] of values) {
      list.push({ name, shape, offset });
      offset += v.length;
    }
    return [list, offset];
  };
  const [weights, afterWeights] = entries(m.weights, 0);
  const [optimizer, total] = entries(m.optimizer, afterWeights);
  const header = JSON.stringify({
    version: 2,
    spec: m.spec,
    epoch: m.epoch,
    weights,
    optimizerStep: m.optimizerStep,
    optimizer,
    extra: m.extra,
  } satisfies Header);
  let headerBytes = Buffer.from(header, 'utf8');
  const padded = Math.ceil(headerBytes.length / 4) * 4;
  headerBytes = Buffer.concat([headerBytes, Buffer.alloc(padded - headerBytes.length, 0x20)]);
  const data = new Float32Array(total);
  for (const values of [m.weights, m.optimizer]) {
    let i = 0;
    const list = values === m.weights ? weights : optimizer;
    for (const { values: v } of values.values()) data.set(v, list[i++]!.offset);
  }
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(headerBytes.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const checksum = sha256(prefix, headerBytes, body);
  const size = prefix.length + headerBytes.length + body.length + checksum.length;

  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  let fd: number | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(tmp, 'wx');
    for (const part of [prefix, headerBytes, body, checksum]) writeFully(fd, part, options.write ?? writeChunk);
    fs.fsyncSync(fd);
    const written = fs.fstatSync(fd).size;
    fs.closeSync(fd);
    fd = undefined;
    if (written !== size) throw new Error(`only ${written} of ${size} bytes reached the disk`);
    // Read back what the file system holds, not what we meant to write.
    const check = checkBytes(tmp, fs.readFileSync(tmp));
    if (check !== null) throw new Error(`the written file does not read back intact: ${check}`);
    fs.renameSync(tmp, file);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new ModelFileError(file, `Writing the model file ${file} failed: ${writeProblem(error)}.`);
  }
  syncFolder(path.dirname(file));
  return size;
}

/**
 * Copies a model file, checked on both ends: the source must be intact (its checksum), and the copy
 * is written the way writeModelFile writes (temporary file, fsync, read back, rename). Used by the
 * Slurm executor to move checkpoints between a job folder on the shared filesystem and the data
 * directory. Returns the size in bytes; throws ModelFileError with one sentence.
 */
export function copyModelFile(src: string, dest: string): number {
  const buf = readBytes(src);
  const problem = describeProblem(src, checkBytes(src, buf));
  if (problem !== null) throw new ModelFileError(src, problem);
  const tmp = `${dest}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  let fd: number | undefined;
  try {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fd = fs.openSync(tmp, 'wx');
    writeFully(fd, buf, writeChunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    const check = checkBytes(tmp, fs.readFileSync(tmp));
    if (check !== null) throw new Error(`the written file does not read back intact: ${check}`);
    fs.renameSync(tmp, dest);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new ModelFileError(dest, `Copying the model file ${src} to ${dest} failed: ${writeProblem(error)}.`);
  }
  syncFolder(path.dirname(dest));
  return buf.length;
}

/** Why the bytes of a model file are unusable (checksum, size, header), or null when intact. */
function checkBytes(file: string, buf: Buffer): string | null {
  return parseBytes(file, buf).problem;
}

const NOT_OURS = 'it is not an FFR Workbench model or checkpoint';

interface Parsed {
  problem: string | null;
  header?: Header;
  floats?: Float32Array;
}

function parseBytes(file: string, buf: Buffer): Parsed {
  const magic = buf.length >= PREFIX_BYTES ? buf.toString('ascii', 0, 8) : '';
  if (magic !== MAGIC && magic !== MAGIC_V1) return { problem: NOT_OURS };
  const headerLength = buf.readUInt32LE(8);
  const dataStart = PREFIX_BYTES + headerLength;
  const end = magic === MAGIC ? buf.length - CHECKSUM_BYTES : buf.length;
  if (end < dataStart) return { problem: `it is cut short (${buf.length} bytes)` };
  if (magic === MAGIC && !sha256(buf.subarray(0, end)).equals(buf.subarray(end))) {
    return { problem: 'its checksum does not match its contents (the file was cut short or changed after it was written)' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(buf.toString('utf8', PREFIX_BYTES, dataStart));
  } catch {
    return { problem: 'its header is not valid JSON' };
  }
  const parsed = Header.safeParse(raw);
  if (!parsed.success) return { problem: 'its header is malformed' };
  const h = parsed.data;
  if ((end - dataStart) % 4 !== 0) return { problem: 'its data is not a whole number of float32 values' };
  const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + dataStart, buf.byteOffset + end));
  const needed = Math.max(0, ...[...h.weights, ...h.optimizer].map((t) => t.offset + t.shape.reduce((a, b) => a * b, 1)));
  if (needed > floats.length) return { problem: `it is cut short (${floats.length} of ${needed} values)` };
  if (magic === MAGIC && needed !== floats.length) return { problem: `it holds ${floats.length} values where its header describes ${needed}` };
  return { problem: null, header: h, floats };
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelFileError(file, `Model file ${file} cannot be read${code === 'ENOENT' ? ': it does not exist' : ` (${code ?? String(error)})`}.`);
  }
}

/**
 * Checks a model file without building its tensors (the host uses it to pick the newest intact
 * checkpoint to resume from). Returns null when intact, else the sentence `readModelFile` would throw.
 */
export function verifyModelFile(file: string): string | null {
  let buf: Buffer;
  try {
    buf = readBytes(file);
  } catch (error) {
    return (error as Error).message;
  }
  return describeProblem(file, checkBytes(file, buf));
}

function describeProblem(file: string, problem: string | null): string | null {
  if (problem === null) return null;
  return problem === NOT_OURS ? `Model file ${file} is ${NOT_OURS.replace(/^it is /, '')}.` : `Model file ${file} is damaged: ${problem}.`;
}

export function readModelFile(file: string): ModelFile {
  const parsed = parseBytes(file, readBytes(file));
  if (parsed.problem !== null || !parsed.header || !parsed.floats) {
    throw new ModelFileError(file, describeProblem(file, parsed.problem ?? 'it is unreadable')!);
  }
  const h = parsed.header;
  const floats = parsed.floats;
  const read = (list: Array<z.infer<typeof TensorEntry>>): NamedValues => {
    const out: NamedValues = new Map();
    for (const { name, shape, offset } of list) {
      const size = shape.reduce((a, b) => a * b, 1);
      out.set(name, { shape, values: floats.slice(offset, offset + size) });
    }
    return out;
  };
  return {
    spec: h.spec,
    epoch: h.epoch,
    weights: read(h.weights),
    optimizerStep: h.optimizerStep,
    optimizer: read(h.optimizer),
    extra: h.extra,
  };
}
