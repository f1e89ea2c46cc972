import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { sumConfig } from './Sum';
import { reduceCases } from './reduce_cases';
import { compareBackends, expectNoLeak, initWasm, seeded } from './test_util';

describe('wasm Sum', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('Sum', 'wasm')).toBe(sumConfig);
  });

  for (const c of reduceCases) {
    it(c.name, async () => {
      await compareBackends(() => tf.sum(tf.tensor(seeded(c.shape, 4), c.shape), c.axis, c.keepDims));
    });
  }

  it('int32 [3,4,2] over [0,1] (backend kernel)', async () => {
    await compareBackends(() => tf.cast(tf.sum(tf.range(0, 24, 1, 'int32').reshape([3, 4, 2]), [0, 1]), 'float32'));
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(seeded([7, 9, 11, 5], 1), [7, 9, 11, 5]);
    expectNoLeak(() => tf.sum(x, [0, 1, 2]));
    expectNoLeak(() => tf.sum(x, 3));
    x.dispose();
  });
});
