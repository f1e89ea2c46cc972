import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { castConfig } from './Cast';
import { compareBackends, expectNoLeak, initWasm, seeded } from './test_util';

describe('wasm Cast', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('Cast', 'wasm')).toBe(castConfig);
  });

  it('float32 -> float32 [7,9,5] shares data and matches cpu', async () => {
    await compareBackends(() => tf.cast(tf.tensor(seeded([7, 9, 5], 1), [7, 9, 5]), 'float32'));
  });

  it('float32 -> int32 -> float32 (backend conversion) matches cpu', async () => {
    await compareBackends(() => tf.cast(tf.cast(tf.mul(tf.tensor(seeded([4, 6], 2), [4, 6]), 10), 'int32'), 'float32'));
  });

  it('bool -> float32 matches cpu', async () => {
    await compareBackends(() => tf.cast(tf.greater(tf.tensor(seeded([4, 6], 3), [4, 6]), 0), 'float32'));
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(seeded([5, 5], 1), [5, 5]);
    expectNoLeak(() => tf.cast(x, 'float32'));
    expectNoLeak(() => tf.cast(x, 'int32'));
    x.dispose();
  });
});
