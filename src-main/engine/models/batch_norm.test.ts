/**
 * The fused training batch norm against the formulation it replaces (tf.moments + tf.batchNorm,
 * differentiated by autodiff) on tfjs's cpu backend: y, the batch statistics and the gradients of
 * a random linear loss wrt x, gamma and beta. The fused op runs on 'wasm' with our kernels (the
 * FfrBatchNormTraining* kernel path) and on 'cpu' (the composite path).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { expectNoLeak, initWasm, runOn, seeded } from '../backend/wasm/test_util';
import { tf } from '../tf';
import { FFR_BATCH_NORM_TRAINING, FFR_BATCH_NORM_TRAINING_GRAD, trainingBatchNorm } from './batch_norm';
import { cases, expectAllClose, fused, inputs, reference } from './batch_norm_cases';

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
