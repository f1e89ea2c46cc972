import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { tileAxes, tileConfig } from './Tile';
import { compareBackends, expectNoLeak, initWasm, seeded } from './test_util';

const cases: Array<{ name: string; shape: number[]; reps: number[] }> = [
  { name: 'batch-norm pattern [1,1,1,5] x [7,9,11,1]', shape: [1, 1, 1, 5], reps: [7, 9, 11, 1] },
  { name: 'inner repeat [3,4] x [1,5]', shape: [3, 4], reps: [1, 5] },
  { name: 'outer and inner [2,3,4] x [3,1,2]', shape: [2, 3, 4], reps: [3, 1, 2] },
  { name: 'all axes [2,3,1,2] x [2,2,3,2]', shape: [2, 3, 1, 2], reps: [2, 2, 3, 2] },
  { name: 'no repeat [4,5] x [1,1]', shape: [4, 5], reps: [1, 1] },
  { name: 'vector [6] x [4]', shape: [6], reps: [4] },
];

describe('wasm Tile', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('Tile', 'wasm')).toBe(tileConfig);
  });

  it('merges broadcast axes: [1,1,1,C] x [N,H,W,1] is one repeat axis and one data axis', () => {
    expect(tileAxes([1, 1, 1, 5], [7, 9, 11, 1])).toEqual([
      { size: 693, repeat: true },
      { size: 5, repeat: false },
    ]);
  });

  for (const c of cases) {
    it(c.name, async () => {
      await compareBackends(() => tf.tile(tf.tensor(seeded(c.shape, 5), c.shape), c.reps));
    });
  }

  it('int32 [2,3] x [2,2]', async () => {
    await compareBackends(() => tf.cast(tf.tile(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [2, 2]), 'float32'));
  });

  it('bool [2,2] x [1,3] (backend kernel fallback)', async () => {
    await compareBackends(() => tf.cast(tf.tile(tf.tensor2d([1, 0, 0, 1], [2, 2], 'bool'), [1, 3]), 'float32'));
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(seeded([1, 1, 1, 5], 1), [1, 1, 1, 5]);
    expectNoLeak(() => tf.tile(x, [3, 4, 5, 1]));
    x.dispose();
  });
});
