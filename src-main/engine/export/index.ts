/**
 * Writing and verifying exports. Each format is written into a folder, then reloaded from the
 * written files by an independent runtime (tfjs-layers' loader for TF.js, onnxruntime-node for
 * ONNX), run on the same inputs as the workbench's own forward pass, and the largest absolute
 * difference of the logits is returned.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { forward } from '../models/forward';
import { disposeParams, paramsFromValues } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { tf } from '../tf';
import type { NamedValues } from '../train/checkpoint';
import { buildOnnxModel, ONNX_FILE } from './onnx';
import { buildTfjsModel, TFJS_WEIGHTS_FILE, type WeightSpec } from './tfjs';

export type ExportFormatName = 'tfjs' | 'onnx';

export interface Sample {
  x: Float32Array;
  n: number;
}

export interface WrittenExport {
  files: string[];
  maxAbsDiff: number;
}

/** Our own logits for the sample, in inference mode. */
export async function referenceLogits(spec: ModelSpec, weights: NamedValues, sample: Sample): Promise<Float32Array> {
  const params = paramsFromValues(weights);
  try {
    const logits = tf.tidy(() => forward(spec, params, tf.tensor4d(sample.x, [sample.n, ...spec.inputShape]), { training: false }).logits);
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  } finally {
    disposeParams(params);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Export verification: ${b.length} outputs instead of ${a.length}.`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return m;
}

export function writeTfjs(spec: ModelSpec, weights: NamedValues, dir: string): string[] {
  const { modelJson, weightData } = buildTfjsModel(spec, weights);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  fs.writeFileSync(path.join(dir, TFJS_WEIGHTS_FILE), Buffer.from(weightData));
  return ['model.json', TFJS_WEIGHTS_FILE];
}

/** Loads a written TF.js model from its files with tf.loadLayersModel and runs the sample. */
export async function runTfjsExport(dir: string, sample: Sample, shape: number[]): Promise<Float32Array> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  };
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const joined = Buffer.concat(buffers);
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }),
  );
  try {
    const logits = tf.tidy(() => model.predict(tf.tensor4d(sample.x, [sample.n, ...shape] as [number, number, number, number])) as tf.Tensor);
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  } finally {
    model.dispose();
  }
}

export function writeOnnx(spec: ModelSpec, weights: NamedValues, dir: string): string[] {
  fs.writeFileSync(path.join(dir, ONNX_FILE), buildOnnxModel(spec, weights));
  return [ONNX_FILE];
}

/** Runs a written ONNX model in onnxruntime-node on the sample (NHWC input). */
export async function runOnnxExport(dir: string, sample: Sample, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path.join(dir, ONNX_FILE));
  try {
    const input = new ort.Tensor('float32', Float32Array.from(sample.x), [sample.n, ...shape]);
    const result = await session.run({ input });
    const logits = result.logits;
    if (!logits) throw new Error('Export verification: the ONNX model has no "logits" output.');
    return logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Writes one format into `dir` (which must exist) and verifies it; returns the files and the difference. */
export async function writeAndVerify(format: ExportFormatName, spec: ModelSpec, weights: NamedValues, dir: string, sample: Sample): Promise<WrittenExport> {
  const files = format === 'tfjs' ? writeTfjs(spec, weights, dir) : writeOnnx(spec, weights, dir);
  const expected = await referenceLogits(spec, weights, sample);
  const actual = format === 'tfjs' ? await runTfjsExport(dir, sample, spec.inputShape) : await runOnnxExport(dir, sample, spec.inputShape);
  return { files, maxAbsDiff: maxAbsDiff(expected, actual) };
}
