/**
 * The batch-norm test grid shared by models/batch_norm.test.ts (wasm kernels, cpu composite) and
 * backend/onednn/batch_norm.test.ts (oneDNN kernels): cases, the tf.moments + tf.batchNorm
 * reference, the fused op under test and the comparison. backend/webgpu/kernels.test.ts uses the
 * inputs, reference and fused op on its own grid (sized by the WGSL workgroups).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { expect } from 'vitest';

import { expectClose, seeded, type Result } from '../backend/wasm/test_util';
import { tf } from '../tf';
import { trainingBatchNorm } from './batch_norm';

export interface Case {
  name: string;
  shape: number[];
  /** Added to x, to check the statistics where |mean| ≫ std. */
  offset?: number;
  epsilon?: number;
  /**
   * One element per channel: x − μ = 0, so dx is exactly 0 (the fused op gives 0). The reference's
   * autodiff leaves float32 rounding noise (~1e-6) there, which a relative comparison would
   * magnify without bound; dx is then checked absolutely.
   */
  zeroDx?: boolean;
}

export const cases: Case[] = [
  { name: '[7,5,5,3] rank-4', shape: [7, 5, 5, 3] },
  { name: '[7,4] rank-2', shape: [7, 4] },
  { name: '[1,1,1,2] single element per channel', shape: [1, 1, 1, 2], zeroDx: true },
  { name: '[1,2] rank-2, single element per channel', shape: [1, 2], zeroDx: true },
  { name: '[2,6,6,16] sixteen channels', shape: [2, 6, 6, 16] },
  { name: '[3,4,5,1] one channel', shape: [3, 4, 5, 1] },
  // The wasm kernels walk the data in tiles of ~4096 elements, channels in blocks of 4 plus a rest.
  { name: '[3,17,17,7] two tiles, the last partial; channels 4 + 3', shape: [3, 17, 17, 7] },
  { name: '[2,3,3,1030] six tiles of 3 rows; 257 channel blocks + 2', shape: [2, 3, 3, 1030] },
  { name: '[4,3,3,5] mean 30, std ~0.6', shape: [4, 3, 3, 5], offset: 30 },
  { name: '[5,2,2,3] epsilon 0.1', shape: [5, 2, 2, 3], epsilon: 0.1 },
];

/** What the inputs, the reference and the fused op read of a case. */
export type CaseShape = Pick<Case, 'shape' | 'offset' | 'epsilon'>;

export const OUTPUTS = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];

export interface Inputs {
  x: Tensor;
  gamma: Tensor;
  beta: Tensor;
  /** Weights of the loss sum(y·r). */
  r: Tensor;
}

export function inputs(c: CaseShape): Inputs {
  const channels = c.shape[c.shape.length - 1]!;
  // gamma in [0.5, 1.5) with both signs of beta: a gamma near 0 would hide dx errors.
  return {
    x: tf.add(tf.tensor(seeded(c.shape, 1), c.shape), c.offset ?? 0),
    gamma: tf.add(tf.mul(tf.tensor1d(seeded([channels], 2)), 0.5), 1),
    beta: tf.tensor1d(seeded([channels], 3)),
    r: tf.tensor(seeded(c.shape, 4), c.shape),
  };
}

/** The replaced formulation: batch statistics by tf.moments, differentiated through. */
export function reference(c: CaseShape): Tensor[] {
  const { x, gamma, beta, r } = inputs(c);
  const eps = c.epsilon ?? 1e-3;
  const axes = c.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.batchNorm(x, mean, variance, beta, gamma, eps);
  const grads = tf.grads((xv: Tensor, g: Tensor, b: Tensor) => {
    const m = tf.moments(xv, axes);
    return tf.sum(tf.mul(tf.batchNorm(xv, m.mean, m.variance, b, g, eps), r));
  })([x, gamma, beta]);
  return [y, mean, variance, ...grads];
}

export function fused(c: CaseShape): Tensor[] {
  const { x, gamma, beta, r } = inputs(c);
  const eps = c.epsilon ?? 1e-3;
  const { y, mean, variance } = trainingBatchNorm(x as tf.Tensor4D, gamma, beta, eps);
  const grads = tf.grads((xv: Tensor, g: Tensor, b: Tensor) =>
    tf.sum(tf.mul(trainingBatchNorm(xv as tf.Tensor4D, g, b, eps).y, r)),
  )([x, gamma, beta]);
  return [y, mean, variance, ...grads];
}

export function expectAllClose(c: Case, actual: Result[], expected: Result[]): void {
  expect(actual.length).toBe(OUTPUTS.length);
  actual.forEach((a, i) => {
    try {
      if (c.zeroDx && OUTPUTS[i] === 'dx') {
        expect(a.shape).toEqual(expected[i]!.shape);
        for (const v of [...a.values, ...expected[i]!.values]) expect(Math.abs(v)).toBeLessThanOrEqual(1e-5);
        return;
      }
      expectClose(a, expected[i]!, 1e-4);
    } catch (e) {
      throw new Error(`${OUTPUTS[i]}: ${(e as Error).message}`);
    }
  });
}

