import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { poolCases, poolDy, poolInput, type PoolCase } from './pool_cases';
import { compareBackends, expectNoLeak, initWasm } from './test_util';

function grad(c: PoolCase, x: Tensor4D = poolInput(c)): Tensor {
  const y = tf.maxPool(x, c.size, c.stride, c.pad);
  return tf.engine().runKernel(
    'MaxPoolGrad',
    { dy: poolDy(c, y.shape), input: x, output: y },
    { filterSize: c.size, strides: c.stride, pad: c.pad },
  ) as Tensor;
}

describe('wasm MaxPoolGrad', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(maxPoolGradConfig);
  });

  for (const c of poolCases) {
    it(c.name, async () => {
      await compareBackends(() => grad(c));
    });
  }

  it('matches cpu through tf.grad of maxPool (2x2 stride 2 after ReLU)', async () => {
    const c = poolCases[4]!;
    await compareBackends(() => tf.grad((x) => tf.sum(tf.square(tf.maxPool(x as Tensor4D, 2, 2, 'valid'))))(poolInput(c)));
  });

  it('leaks no tensors', () => {
    const c = poolCases[1]!;
    const x = poolInput(c);
    const y = tf.maxPool(x, c.size, c.stride, c.pad);
    const dy = poolDy(c, y.shape);
    expectNoLeak(() =>
      tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as Tensor,
    );
    tf.dispose([x, y, dy]);
  });
});
