/**
 * Dense layers on oneDNN: BatchMatMul (both directions of a dense layer's gradient are products
 * with one operand transposed, described to oneDNN by strides, never materialized) and
 * _FusedMatMul with a per-column bias and ReLU as post-ops. Batch shapes must be equal or one of
 * them a single matrix (broadcast); anything else, other dtypes and other activations go to wasm.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { loadOnednnAddon } from './addon';
import { allFloat32, fallback, offsetOf, run } from './call';

interface Args {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: { transposeA: boolean; transposeB: boolean; activation?: string };
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

function product(name: string, args: Args, bias: TensorInfo | undefined, relu: boolean): TensorInfo | undefined {
  const { a, b } = args.inputs;
  const { backend } = args;
  const { transposeA, transposeB } = args.attrs;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const ba = size(aBatch);
  const bb = size(bBatch);
  const sameBatch = aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i]);
  if (!sameBatch && ba !== 1 && bb !== 1) return undefined;
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? a1 : a0;
  const k = transposeA ? a0 : a1;
  const n = transposeB ? b0 : b1;
  if ((transposeB ? b1 : b0) !== k) throw new Error(`${name}: inner dimensions ${k} and ${transposeB ? b1 : b0} differ (a [${a.shape}], b [${b.shape}]).`);
  if (bias && size(bias.shape) !== n) return undefined;
  const batchShape = ba >= bb ? aBatch : bBatch;
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  run(backend, loadOnednnAddon().addon!.matMul, [
    ba, bb, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, bias ? 1 : 0, relu ? 1 : 0,
    offsetOf(backend, a), offsetOf(backend, b), bias ? offsetOf(backend, bias) : 0, offsetOf(backend, out),
  ]);
  return out;
}

function batchMatMul(args: Args): TensorInfo {
  if (!allFloat32(args.inputs.a, args.inputs.b)) return fallback('BatchMatMul', args) as TensorInfo;
  return product('BatchMatMul', args, undefined, false) ?? (fallback('BatchMatMul', args) as TensorInfo);
}

function fusedMatMul(args: Args): TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const activation = args.attrs.activation ?? 'linear';
  if (!allFloat32(a, b, bias) || preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) {
    return fallback('_FusedMatMul', args) as TensorInfo;
  }
  return product('_FusedMatMul', args, bias, activation === 'relu') ?? (fallback('_FusedMatMul', args) as TensorInfo);
}

export const matMulKernels: KernelConfig[] = [
  { kernelName: 'BatchMatMul', backendName: 'onednn', kernelFunc: batchMatMul as unknown as KernelFunc },
  { kernelName: '_FusedMatMul', backendName: 'onednn', kernelFunc: fusedMatMul as unknown as KernelFunc },
];
