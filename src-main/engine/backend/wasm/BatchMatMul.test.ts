import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { batchMatMulConfig } from './BatchMatMul';
import { matMulCases as cases } from './matmul_cases';
import { compareBackends, expectNoLeak, initWasm, seeded } from './test_util';

describe('wasm BatchMatMul', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(batchMatMulConfig);
  });

  for (const c of cases) {
    it(c.name, async () => {
      await compareBackends(() => tf.matMul(tf.tensor(seeded(c.a, 1), c.a), tf.tensor(seeded(c.b, 2), c.b), c.ta, c.tb));
    });
  }

  it('matches cpu through tf.grad of a dense layer', async () => {
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
