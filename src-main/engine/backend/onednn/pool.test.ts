/** oneDNN pooling kernels against tfjs's cpu backend on the wasm tests' grid (wasm/pool_cases.ts), ties included. */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';

import { tf } from '../../tf';
import { poolCases, poolDy, poolInput, type PoolCase } from '../wasm/pool_cases';
import { compareBackends, expectNoLeak } from '../wasm/test_util';
import { poolKernels } from './pool';
import { describeOnednn, initOnednn } from './test_util';

function maxGrad(c: PoolCase): Tensor {
  const x = poolInput(c);
  const y = tf.maxPool(x, c.size, c.stride, c.pad);
  return tf.engine().runKernel('MaxPoolGrad', { dy: poolDy(c, y.shape), input: x, output: y }, { filterSize: c.size, strides: c.stride, pad: c.pad }) as Tensor;
}

function avgGrad(c: PoolCase): Tensor {
  const x = poolInput(c);
  const y = tf.avgPool(x, c.size, c.stride, c.pad);
  return tf.engine().runKernel('AvgPoolGrad', { dy: poolDy(c, y.shape), input: x }, { filterSize: c.size, strides: c.stride, pad: c.pad }) as Tensor;
}

describeOnednn('onednn pooling kernels', () => {
  beforeAll(initOnednn);

  it('are registered for onednn', () => {
    for (const k of poolKernels) expect(tf.getKernel(k.kernelName, 'onednn')).toBe(k);
  });

  for (const c of poolCases) {
    it(`MaxPool ${c.name}`, async () => compareBackends(() => tf.maxPool(poolInput(c), c.size, c.stride, c.pad)));
    it(`AvgPool ${c.name}`, async () => compareBackends(() => tf.avgPool(poolInput(c), c.size, c.stride, c.pad)));
    it(`MaxPoolGrad ${c.name}`, async () => compareBackends(() => maxGrad(c)));
    it(`AvgPoolGrad ${c.name}`, async () => compareBackends(() => avgGrad(c)));
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
    expectNoLeak(() => tf.maxPool(x, 2, 2, 'valid'));
    expectNoLeak(() => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as Tensor);
    expectNoLeak(() => tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, { filterSize: 2, strides: 2, pad: 'valid' }) as Tensor);
    tf.dispose([x, y, dy]);
  });
});
