/**
 * FfrBatchNormTrainingGrad for the WASM backend: the closed-form gradient of training-mode batch
 * norm (models/batch_norm.ts) as two plain JavaScript passes over the wasm heap.
 *
 * With rstd = 1/√(var + ε), N = elements per channel and x̂ = (x − μ)·rstd:
 *   dβ = Σ dy,  dγ = rstd·Σ dy·(x − μ),  dx = γ·rstd·(dy − dβ/N − x̂·dγ/N).
 * The first pass accumulates the two sums per channel (float64); the second writes
 * dx = a·dy + k·(x − μ) + b with per-channel a = γ·rstd, k = −a·rstd·dγ/N, b = −a·dβ/N. Autodiff
 * of the composite formulation needs ~20 backend kernels, each a full pass, for the same result.
 * Loop order: see tileLength in batch_norm_util.ts.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { FFR_BATCH_NORM_TRAINING_GRAD } from '../../models/batch_norm';
import { channelCount, tileLength } from './batch_norm_util';

interface Inputs {
  dy: TensorInfo;
  x: TensorInfo;
  gamma: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
}

function ffrBatchNormTrainingGrad({
  inputs,
  attrs,
  backend,
}: {
  inputs: Inputs;
  attrs: { epsilon: number };
  backend: BackendWasm;
}): TensorInfo[] {
  const { dy, x, gamma, mean, variance } = inputs;
  const c = channelCount(FFR_BATCH_NORM_TRAINING_GRAD, x, [gamma, mean, variance], dy);
  // All outputs first: makeOutput may grow the heap and detach views taken before it.
  const dxInfo = backend.makeOutput(x.shape, 'float32');
  const dgammaInfo = backend.makeOutput([c], 'float32');
  const dbetaInfo = backend.makeOutput([c], 'float32');
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const gs = backend.typedArrayFromHeap(gamma) as Float32Array;
  const ms = backend.typedArrayFromHeap(mean) as Float32Array;
  const vs = backend.typedArrayFromHeap(variance) as Float32Array;
  const dxs = backend.typedArrayFromHeap(dxInfo) as Float32Array;
  const dgammas = backend.typedArrayFromHeap(dgammaInfo) as Float32Array;
  const dbetas = backend.typedArrayFromHeap(dbetaInfo) as Float32Array;
  const size = xs.length;
  const rows = size / c;
  const tile = tileLength(c);
  const c4 = c - (c % 4);

  // Pass 1: Σdy and Σdy·(x − μ) per channel.
  const sumDy = new Float64Array(c);
  const sumDyXc = new Float64Array(c);
  for (let start = 0; start < size; start += tile) {
    const end = Math.min(size, start + tile);
    let j = 0;
    for (; j < c4; j += 4) {
      const m0 = ms[j]!, m1 = ms[j + 1]!, m2 = ms[j + 2]!, m3 = ms[j + 3]!;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
      for (let i = start + j; i < end; i += c) {
        const g0 = dys[i]!, g1 = dys[i + 1]!, g2 = dys[i + 2]!, g3 = dys[i + 3]!;
        s0 += g0; s1 += g1; s2 += g2; s3 += g3;
        p0 += g0 * (xs[i]! - m0);
        p1 += g1 * (xs[i + 1]! - m1);
        p2 += g2 * (xs[i + 2]! - m2);
        p3 += g3 * (xs[i + 3]! - m3);
      }
      sumDy[j]! += s0; sumDy[j + 1]! += s1; sumDy[j + 2]! += s2; sumDy[j + 3]! += s3;
      sumDyXc[j]! += p0; sumDyXc[j + 1]! += p1; sumDyXc[j + 2]! += p2; sumDyXc[j + 3]! += p3;
    }
    for (; j < c; j++) {
      const m = ms[j]!;
      let s = 0;
      let p = 0;
      for (let i = start + j; i < end; i += c) {
        const g = dys[i]!;
        s += g;
        p += g * (xs[i]! - m);
      }
      sumDy[j]! += s;
      sumDyXc[j]! += p;
    }
  }

  // Per-channel coefficients of dx = a·dy + k·(x − μ) + b.
  const a = new Float64Array(c);
  const k = new Float64Array(c);
  const b = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const rstd = 1 / Math.sqrt(vs[j]! + attrs.epsilon);
    const dgamma = sumDyXc[j]! * rstd;
    a[j] = gs[j]! * rstd;
    k[j] = (-a[j]! * rstd * dgamma) / rows;
    b[j] = (-a[j]! * sumDy[j]!) / rows;
    dgammas[j] = dgamma;
    dbetas[j] = sumDy[j]!;
  }

  // Pass 2: dx.
  for (let start = 0; start < size; start += tile) {
    const end = Math.min(size, start + tile);
    let j = 0;
    for (; j < c4; j += 4) {
      const m0 = ms[j]!, m1 = ms[j + 1]!, m2 = ms[j + 2]!, m3 = ms[j + 3]!;
      const a0 = a[j]!, a1 = a[j + 1]!, a2 = a[j + 2]!, a3 = a[j + 3]!;
      const k0 = k[j]!, k1 = k[j + 1]!, k2 = k[j + 2]!, k3 = k[j + 3]!;
      const b0 = b[j]!, b1 = b[j + 1]!, b2 = b[j + 2]!, b3 = b[j + 3]!;
      for (let i = start + j; i < end; i += c) {
        dxs[i] = a0 * dys[i]! + k0 * (xs[i]! - m0) + b0;
        dxs[i + 1] = a1 * dys[i + 1]! + k1 * (xs[i + 1]! - m1) + b1;
        dxs[i + 2] = a2 * dys[i + 2]! + k2 * (xs[i + 2]! - m2) + b2;
        dxs[i + 3] = a3 * dys[i + 3]! + k3 * (xs[i + 3]! - m3) + b3;
      }
    }
    for (; j < c; j++) {
      const m = ms[j]!;
      const aj = a[j]!;
      const kj = k[j]!;
      const bj = b[j]!;
      for (let i = start + j; i < end; i += c) dxs[i] = aj * dys[i]! + kj * (xs[i]! - m) + bj;
    }
  }
  return [dxInfo, dgammaInfo, dbetaInfo];
}

export const ffrBatchNormTrainingGradConfig: KernelConfig = {
  kernelName: FFR_BATCH_NORM_TRAINING_GRAD,
  backendName: 'wasm',
  kernelFunc: ffrBatchNormTrainingGrad as unknown as KernelFunc,
};
