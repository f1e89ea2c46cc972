import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { identityConfig } from './Identity';
import { compareBackends, expectNoLeak, initWasm, seeded } from './test_util';

describe('wasm Identity', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('Identity', 'wasm')).toBe(identityConfig);
  });

  it('float32 [7,9,11,5] via tf.clone', async () => {
    await compareBackends(() => tf.clone(tf.tensor(seeded([7, 9, 11, 5], 1), [7, 9, 11, 5])));
  });

  it('a clone survives disposing its source, and vice versa', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    const z = tf.clone(y);
    y.dispose();
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3]);
    z.dispose();
  });

  it('gradients through identity match cpu', async () => {
    await compareBackends(() => tf.grad((v) => tf.sum(tf.square(tf.clone(v))))(tf.tensor(seeded([3, 4], 2), [3, 4])));
  });

  it('leaks no tensors or buffers', () => {
    const x = tf.tensor(seeded([5, 5], 1), [5, 5]);
    const buffers = tf.memory().numDataBuffers;
    expectNoLeak(() => tf.clone(x));
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
  });
});
