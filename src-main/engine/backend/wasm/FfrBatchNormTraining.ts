/**
 * FfrBatchNormTraining for the WASM backend: the forward of training-mode batch norm
 * (models/batch_norm.ts) as two plain JavaScript passes over the wasm heap.
 *
 * Composed of backend ops, the same computation is a mean, a centred square, a second mean and the
 * affine map: five or more kernels, each a full read and write of x. Here x is read twice and y
 * written once. The per-channel sum and sum of squares are accumulated in float64, where
 * E[x²] − E[x]² keeps ~9 more digits than float32 has (no catastrophic cancellation unless
 * |mean|/std approaches 1e4), so one statistics pass suffices. Loop order: see tileLength in
 * batch_norm_util.ts.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { FFR_BATCH_NORM_TRAINING } from '../../models/batch_norm';
import { channelCount, tileLength } from './batch_norm_util';

interface Inputs {
  x: TensorInfo;
  gamma: TensorInfo;
  beta: TensorInfo;
}

function ffrBatchNormTraining({
  inputs,
  attrs,
  backend,
}: {
  inputs: Inputs;
  attrs: { epsilon: number };
  backend: BackendWasm;
}): TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const c = channelCount(FFR_BATCH_NORM_TRAINING, x, [gamma, beta]);
  // Allocate every output before taking any view: makeOutput may grow the heap, which detaches
  // views taken earlier.
  const yInfo = backend.makeOutput(x.shape, 'float32');
  const meanInfo = backend.makeOutput([c], 'float32');
  const varianceInfo = backend.makeOutput([c], 'float32');
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const ys = backend.typedArrayFromHeap(yInfo) as Float32Array;
  const gs = backend.typedArrayFromHeap(gamma) as Float32Array;
  const bs = backend.typedArrayFromHeap(beta) as Float32Array;
  const means = backend.typedArrayFromHeap(meanInfo) as Float32Array;
  const variances = backend.typedArrayFromHeap(varianceInfo) as Float32Array;
  const size = xs.length;
  const rows = size / c;
  const tile = tileLength(c);
  const c4 = c - (c % 4);

  // Pass 1: Σx and Σx² per channel.
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let start = 0; start < size; start += tile) {
    const end = Math.min(size, start + tile);
    let j = 0;
    for (; j < c4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      for (let i = start + j; i < end; i += c) {
        const v0 = xs[i]!, v1 = xs[i + 1]!, v2 = xs[i + 2]!, v3 = xs[i + 3]!;
        s0 += v0; s1 += v1; s2 += v2; s3 += v3;
        q0 += v0 * v0; q1 += v1 * v1; q2 += v2 * v2; q3 += v3 * v3;
      }
      sum[j]! += s0; sum[j + 1]! += s1; sum[j + 2]! += s2; sum[j + 3]! += s3;
      sumSq[j]! += q0; sumSq[j + 1]! += q1; sumSq[j + 2]! += q2; sumSq[j + 3]! += q3;
    }
    for (; j < c; j++) {
      let s = 0;
      let q = 0;
      for (let i = start + j; i < end; i += c) {
        const v = xs[i]!;
        s += v;
        q += v * v;
      }
      sum[j]! += s;
      sumSq[j]! += q;
    }
  }

  // Per channel: y = (x − μ)·scale + β with scale = γ·rstd.
  const mean = new Float64Array(c);
  const scale = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const m = sum[j]! / rows;
    // Rounding can leave a tiny negative for a constant channel.
    const variance = Math.max(0, sumSq[j]! / rows - m * m);
    mean[j] = m;
    scale[j] = gs[j]! / Math.sqrt(variance + attrs.epsilon);
    means[j] = m;
    variances[j] = variance;
  }

  // Pass 2: y.
  for (let start = 0; start < size; start += tile) {
    const end = Math.min(size, start + tile);
    let j = 0;
    for (; j < c4; j += 4) {
      const m0 = mean[j]!, m1 = mean[j + 1]!, m2 = mean[j + 2]!, m3 = mean[j + 3]!;
      const k0 = scale[j]!, k1 = scale[j + 1]!, k2 = scale[j + 2]!, k3 = scale[j + 3]!;
      const b0 = bs[j]!, b1 = bs[j + 1]!, b2 = bs[j + 2]!, b3 = bs[j + 3]!;
      for (let i = start + j; i < end; i += c) {
        ys[i] = (xs[i]! - m0) * k0 + b0;
        ys[i + 1] = (xs[i + 1]! - m1) * k1 + b1;
        ys[i + 2] = (xs[i + 2]! - m2) * k2 + b2;
        ys[i + 3] = (xs[i + 3]! - m3) * k3 + b3;
      }
    }
    for (; j < c; j++) {
      const m = mean[j]!;
      const k = scale[j]!;
      const b = bs[j]!;
      for (let i = start + j; i < end; i += c) ys[i] = (xs[i]! - m) * k + b;
    }
  }
  return [yInfo, meanInfo, varianceInfo];
}

export const ffrBatchNormTrainingConfig: KernelConfig = {
  kernelName: FFR_BATCH_NORM_TRAINING,
  backendName: 'wasm',
  kernelFunc: ffrBatchNormTraining as unknown as KernelFunc,
};
