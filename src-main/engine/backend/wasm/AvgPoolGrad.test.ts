import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { avgPoolGradConfig } from './AvgPoolGrad';
import { poolCases, poolDy, poolInput, type PoolCase } from './pool_cases';
import { compareBackends, expectNoLeak, initWasm } from './test_util';

function grad(c: PoolCase, x: Tensor4D = poolInput(c)): Tensor {
  const y = tf.avgPool(x, c.size, c.stride, c.pad);
  return tf.engine().runKernel(
    'AvgPoolGrad',
    { dy: poolDy(c, y.shape), input: x },
    { filterSize: c.size, strides: c.stride, pad: c.pad },
  ) as Tensor;
}

describe('wasm AvgPoolGrad', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('AvgPoolGrad', 'wasm')).toBe(avgPoolGradConfig);
  });

  for (const c of poolCases) {
    it(c.name, async () => {
      await compareBackends(() => grad(c));
    });
  }

  it('matches cpu through tf.grad of a 1x1 stride-2 avgPool (ResNet option-A shortcut)', async () => {
    const c = poolCases[6]!;
    await compareBackends(() => tf.grad((x) => tf.sum(tf.square(tf.avgPool(x as Tensor4D, 1, 2, 'valid'))))(poolInput(c)));
  });

  it('leaks no tensors', () => {
    const c = poolCases[6]!;
    const x = poolInput(c);
    const dy = poolDy(c, tf.avgPool(x, 1, 2, 'valid').shape);
    expectNoLeak(() => tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, { filterSize: 1, strides: 2, pad: 'valid' }) as Tensor);
    tf.dispose([x, dy]);
  });
});
