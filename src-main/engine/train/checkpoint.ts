/**
 * Model and checkpoint files: one binary file holding a JSON header (the model spec, weight
 * layout, optimizer slots, epoch, extra data) followed by little-endian float32 data.
 * Written to a temporary file and renamed into place, so a crash never leaves half a checkpoint.
 *
 *   bytes 0–7   "FFRMODL1"
 *   bytes 8–11  header length H (uint32 LE)
 *   12 … 12+H   header JSON (UTF-8), padded with spaces to a multiple of 4
 *   then        float32 data, each tensor at header.tensors[i].offset (in floats)
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ModelSpec } from '../../catalog/models/spec';

const MAGIC = 'FFRMODL1';

const TensorEntry = z.object({ name: z.string(), shape: z.array(z.number().int()), offset: z.number().int() });
const Header = z.object({
  version: z.literal(1),
  spec: z.custom<ModelSpec>((v) => typeof v === 'object' && v !== null && 'nodes' in v),
  epoch: z.number().int().min(0),
  weights: z.array(TensorEntry),
  optimizerStep: z.number().int().min(0),
  optimizer: z.array(TensorEntry),
  extra: z.record(z.string(), z.unknown()),
});

export type NamedValues = Map<string, { shape: number[]; values: Float32Array }>;

export interface ModelFile {
  spec: ModelSpec;
  epoch: number;
  weights: NamedValues;
  optimizerStep: number;
  optimizer: NamedValues;
  extra: Record<string, unknown>;
}

export function writeModelFile(file: string, m: ModelFile): number {
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
    version: 1,
    spec: m.spec,
    epoch: m.epoch,
    weights,
    optimizerStep: m.optimizerStep,
    optimizer,
    extra: m.extra,
  });
  let headerBytes = Buffer.from(header, 'utf8');
  const padded = Math.ceil(headerBytes.length / 4) * 4;
  headerBytes = Buffer.concat([headerBytes, Buffer.alloc(padded - headerBytes.length, 0x20)]);
  const data = new Float32Array(total);
  for (const values of [m.weights, m.optimizer]) {
    let i = 0;
    const list = values === m.weights ? weights : optimizer;
    for (const { values: v } of values.values()) data.set(v, list[i++]!.offset);
  }
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(headerBytes.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, prefix);
    fs.writeSync(fd, headerBytes);
    fs.writeSync(fd, body);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return prefix.length + headerBytes.length + body.length;
}

export function readModelFile(file: string): ModelFile {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    throw new Error(`Model file ${file} cannot be read.`);
  }
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) {
    throw new Error(`Model file ${file} is not an FFR Workbench model or checkpoint.`);
  }
  const headerLength = buf.readUInt32LE(8);
  const parsed = Header.safeParse(JSON.parse(buf.toString('utf8', 12, 12 + headerLength)));
  if (!parsed.success) throw new Error(`Model file ${file} has a malformed header.`);
  const h = parsed.data;
  const dataStart = 12 + headerLength;
  const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + dataStart, buf.byteOffset + buf.length));
  const read = (list: Array<z.infer<typeof TensorEntry>>): NamedValues => {
    const out: NamedValues = new Map();
    for (const { name, shape, offset } of list) {
      const size = shape.reduce((a, b) => a * b, 1);
      if (offset + size > floats.length) throw new Error(`Model file ${file} is truncated (tensor "${name}").`);
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

export function checkpointPath(dir: string, epoch: number): string {
  return path.join(dir, `epoch-${String(epoch).padStart(4, '0')}.ffrm`);
}
