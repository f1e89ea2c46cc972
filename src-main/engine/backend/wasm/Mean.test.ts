import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { meanConfig } from './Mean';
import { reduceCases } from './reduce_cases';
import { compareBackends, expectNoLeak, initWasm, seeded } from './test_util';

describe('wasm Mean', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('Mean', 'wasm')).toBe(meanConfig);
  });

  for (const c of reduceCases) {
    it(c.name, async () => {
      await compareBackends(() => tf.mean(tf.tensor(seeded(c.shape, 4), c.shape), c.axis, c.keepDims));
    });
  }

  it('int32 [3,4,2] over [0,1] (backend kernel)', async () => {
    await compareBackends(() => tf.cast(tf.mean(tf.range(0, 24, 1, 'int32').reshape([3, 4, 2]), [0, 1]), 'float32'));
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(seeded([7, 9, 11, 5], 1), [7, 9, 11, 5]);
    expectNoLeak(() => tf.mean(x, [0, 1, 2]));
    expectNoLeak(() => tf.mean(x, 3));
    x.dispose();
  });
});
