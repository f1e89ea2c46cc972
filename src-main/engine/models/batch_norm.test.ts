/**
 * The fused training batch norm against the formulation it replaces (tf.moments + tf.batchNorm,
 * differentiated by autodiff) on tfjs's cpu backend: y, the batch statistics and the gradients of
 * a random linear loss wrt x, gamma and beta. The fused op runs on 'wasm' with our kernels (the
 * FfrBatchNormTraining* kernel path) and on 'cpu' (the composite path).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { expectClose, expectNoLeak, initWasm, runOn, seeded, type Result } from '../backend/wasm/test_util';
import { tf } from '../tf';
import { FFR_BATCH_NORM_TRAINING, FFR_BATCH_NORM_TRAINING_GRAD, trainingBatchNorm } from './batch_norm';

interface Case {
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

const cases: Case[] = [
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

const OUTPUTS = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];

interface Inputs {
  x: Tensor;
  gamma: Tensor;
  beta: Tensor;
  /** Weights of the loss sum(y·r). */
  r: Tensor;
}

function inputs(c: Case): Inputs {
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
function reference(c: Case): Tensor[] {
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

function fused(c: Case): Tensor[] {
  const { x, gamma, beta, r } = inputs(c);
  const eps = c.epsilon ?? 1e-3;
  const { y, mean, variance } = trainingBatchNorm(x as tf.Tensor4D, gamma, beta, eps);
  const grads = tf.grads((xv: Tensor, g: Tensor, b: Tensor) =>
    tf.sum(tf.mul(trainingBatchNorm(xv as tf.Tensor4D, g, b, eps).y, r)),
  )([x, gamma, beta]);
  return [y, mean, variance, ...grads];
}

function expectAllClose(c: Case, actual: Result[], expected: Result[]): void {
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

/** Kernel names run by fn, from tf.profile. */
async function kernelsRun(fn: () => Tensor[]): Promise<string[]> {
  const info = await tf.profile(() => {
    const out = fn();
    tf.dispose(out);
    return [];
  });
  return info.kernelNames;
}

describe('trainingBatchNorm', () => {
  beforeAll(initWasm);

  it('has its kernels registered on wasm', () => {
    expect(tf.getKernel(FFR_BATCH_NORM_TRAINING, 'wasm')).toBeDefined();
    expect(tf.getKernel(FFR_BATCH_NORM_TRAINING_GRAD, 'wasm')).toBeDefined();
    expect(tf.getKernel(FFR_BATCH_NORM_TRAINING, 'cpu')).toBeUndefined();
  });

  for (const c of cases) {
    it(`${c.name}: wasm kernels match tf.moments + tf.batchNorm on cpu`, async () => {
      const expected = await runOn('cpu', () => reference(c));
      const actual = await runOn('wasm', () => fused(c));
      expectAllClose(c, actual, expected);
    });

    it(`${c.name}: composite (cpu) matches tf.moments + tf.batchNorm on cpu`, async () => {
      const expected = await runOn('cpu', () => reference(c));
      const actual = await runOn('cpu', () => fused(c));
      expectAllClose(c, actual, expected);
    });
  }

  it('runs one kernel each way on wasm and plain ops on cpu', async () => {
    const c = cases[0]!;
    const onWasm = await kernelsRun(() => fused(c));
    expect(onWasm).toContain(FFR_BATCH_NORM_TRAINING);
    expect(onWasm).toContain(FFR_BATCH_NORM_TRAINING_GRAD);
    await tf.setBackend('cpu');
    try {
      const onCpu = await kernelsRun(() => fused(c));
      expect(onCpu).not.toContain(FFR_BATCH_NORM_TRAINING);
      expect(onCpu).not.toContain(FFR_BATCH_NORM_TRAINING_GRAD);
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('gradients come back in the parameters own shapes ([1,1,1,c] gamma and beta)', () => {
    const x = tf.tensor4d(seeded([3, 2, 2, 4], 1), [3, 2, 2, 4]);
    const gamma = tf.ones([1, 1, 1, 4]);
    const beta = tf.zeros([1, 1, 1, 4]);
    const [dx, dg, db] = tf.grads((xv: Tensor, g: Tensor, b: Tensor) =>
      tf.sum(tf.square(trainingBatchNorm(xv as tf.Tensor4D, g, b, 1e-3).y)),
    )([x, gamma, beta]);
    expect(dx!.shape).toEqual([3, 2, 2, 4]);
    expect(dg!.shape).toEqual([1, 1, 1, 4]);
    expect(db!.shape).toEqual([1, 1, 1, 4]);
    tf.dispose([x, gamma, beta, dx!, dg!, db!]);
  });

  it('rejects gamma or beta of the wrong size', () => {
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    const gamma = tf.ones([2]);
    expect(() => trainingBatchNorm(x, gamma, gamma, 1e-3)).toThrow(/gamma and beta need 3 values/);
    tf.dispose([x, gamma]);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`leaks no tensors on ${backend}: forward alone, forward + gradients, inside tidy`, async () => {
      await tf.setBackend(backend);
      try {
        const { x, gamma, beta, r } = inputs(cases[0]!);
        const buffers = tf.memory().numDataBuffers;
        expectNoLeak(() => {
          const { y, mean, variance } = trainingBatchNorm(x as tf.Tensor4D, gamma, beta, 1e-3);
          return [y, mean, variance];
        });
        expectNoLeak(() =>
          tf.grads((xv: Tensor, g: Tensor, b: Tensor) =>
            tf.sum(tf.mul(trainingBatchNorm(xv as tf.Tensor4D, g, b, 1e-3).y, r)),
          )([x, gamma, beta]),
        );
        // mean and variance belong to the caller's scope like any op result.
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          trainingBatchNorm(x as tf.Tensor4D, gamma, beta, 1e-3);
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(tf.memory().numDataBuffers).toBe(buffers);
        tf.dispose([x, gamma, beta, r]);
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }
});
