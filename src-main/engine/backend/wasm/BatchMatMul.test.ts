import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { batchMatMulConfig } from './BatchMatMul';
import { compareBackends, expectNoLeak, initWasm, seeded } from './test_util';

const cases: Array<{ name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
  { name: 'plain [7,40] x [40,12]', a: [7, 40], b: [40, 12], ta: false, tb: false },
  { name: 'dense input gradient dy·Wᵀ: [7,12] x [40,12]ᵀ', a: [7, 12], b: [40, 12], ta: false, tb: true },
  { name: 'dense weight gradient xᵀ·dy: [7,40]ᵀ x [7,12]', a: [7, 40], b: [7, 12], ta: true, tb: false },
  { name: 'both transposed: [9,5]ᵀ x [3,9]ᵀ', a: [9, 5], b: [3, 9], ta: true, tb: true },
  { name: 'batched rank 3 with transposeB: [2,5,6] x [2,4,6]ᵀ', a: [2, 5, 6], b: [2, 4, 6], ta: false, tb: true },
  { name: 'broadcast batch with transposeA: [1,6,5]ᵀ x [3,6,4]', a: [1, 6, 5], b: [3, 6, 4], ta: true, tb: false },
];

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
