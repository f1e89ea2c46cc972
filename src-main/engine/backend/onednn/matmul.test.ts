/** oneDNN BatchMatMul and _FusedMatMul against tfjs's cpu backend on the wasm tests' grid (wasm/matmul_cases.ts). */
import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';

import { tf } from '../../tf';
import { matMulCases } from '../wasm/matmul_cases';
import { compareBackends, expectNoLeak, seeded } from '../wasm/test_util';
import { matMulKernels } from './matmul';
import { describeOnednn, initOnednn } from './test_util';

describeOnednn('onednn matmul kernels', () => {
  beforeAll(initOnednn);

  it('are registered for onednn', () => {
    for (const k of matMulKernels) expect(tf.getKernel(k.kernelName, 'onednn')).toBe(k);
  });

  for (const c of matMulCases) {
    it(`BatchMatMul ${c.name}`, async () =>
      compareBackends(() => tf.matMul(tf.tensor(seeded(c.a, 1), c.a), tf.tensor(seeded(c.b, 2), c.b), c.ta, c.tb)));
  }

  it('BatchMatMul broadcasting a batch of 1 on the right: [3,5,6] x [1,6,4]', async () =>
    compareBackends(() => tf.matMul(tf.tensor(seeded([3, 5, 6], 1), [3, 5, 6]), tf.tensor(seeded([1, 6, 4], 2), [1, 6, 4]))));

  for (const activation of ['linear', 'relu'] as const) {
    it(`_FusedMatMul with bias, ${activation}: [7,40] x [40,12]`, async () =>
      compareBackends(() =>
        tf.fused.matMul({ a: tf.tensor2d(seeded([7, 40], 1), [7, 40]), b: tf.tensor2d(seeded([40, 12], 2), [40, 12]), bias: tf.tensor1d(seeded([12], 3)), activation }),
      ));
  }

  it('matches cpu through tf.grads of a dense layer', async () => {
    await compareBackends(() => {
      const x = tf.tensor2d(seeded([7, 40], 3), [7, 40]);
      const w = tf.tensor2d(seeded([40, 12], 4), [40, 12]);
      const [gx, gw] = tf.grads((p: Tensor, q: Tensor) => tf.sum(tf.square(tf.matMul(p, q))))([x, w]);
      return [gx!, gw!];
    });
  });

  it('leaks no tensors', () => {
    const a = tf.tensor(seeded([7, 12], 1), [7, 12]);
    const b = tf.tensor(seeded([40, 12], 2), [40, 12]);
    expectNoLeak(() => tf.matMul(a, b, false, true));
    tf.dispose([a, b]);
  });
});
