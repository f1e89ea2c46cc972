import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { adaptiveAvgPool } from './align';
import { ffrTerms } from './ffr';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const channel = { align: 'pad-pool', curvature: 'angle', norm: 'channel' } as const;

/** Vectors as dense taps: [N, features]. */
const vec = (rows: number[][]) => tf.tensor2d(rows);

function terms(taps: tf.Tensor[], opts: Parameters<typeof ffrTerms>[1]) {
  const t = ffrTerms(taps, opts);
  return {
    length: t.length.dataSync()[0]!,
    curvature: t.curvature.dataSync()[0]!,
    segments: t.segmentLengths.map((s) => (s ? s.dataSync()[0]! : null)),
    turns: t.turningTerms.map((s) => (s ? s.dataSync()[0]! : null)),
  };
}

describe('FFR length', () => {
  it('channel norm, one segment [0,0] → [3,4]: (|3| + |4|) / √2', () => {
    expect(terms([vec([[0, 0]]), vec([[3, 4]])], channel).length).toBeCloseTo(7 / Math.SQRT2, 5);
  });

  it('l2 norm, one segment [0,0] → [3,4]: ‖(3,4)‖ / √2 = 5 / √2', () => {
    expect(terms([vec([[0, 0]]), vec([[3, 4]])], { ...channel, norm: 'l2' }).length).toBeCloseTo(5 / Math.SQRT2, 5);
  });

  it('channel norm groups spatial positions: a 1x2x1 increment [3,4] has one channel of norm 5, / √2', () => {
    const a = tf.zeros([1, 1, 2, 1]);
    const b = tf.tensor4d([3, 4], [1, 1, 2, 1]);
    expect(terms([a, b], channel).length).toBeCloseTo(5 / Math.SQRT2, 5);
  });

  it('sums segments and averages samples: two samples with lengths √2 and 0 → √2 / 2', () => {
    const r = terms([vec([[1, 0], [1, 1]]), vec([[1, 1], [1, 1]]), vec([[0, 1], [1, 1]])], channel);
    // sample 1: d1 = [0,1], d2 = [-1,0]: 1/√2 + 1/√2; sample 2 stands still.
    expect(r.length).toBeCloseTo(Math.SQRT2 / 2, 5);
    expect(r.segments[0]).toBeCloseTo(1 / Math.SQRT2 / 2, 5);
  });

  it('pad-pool zero-pads channels: [1] → [1,2] has increment [0,2], length 2 / √2', () => {
    expect(terms([vec([[1]]), vec([[1, 2]])], channel).length).toBeCloseTo(2 / Math.SQRT2, 5);
  });

  it('pad-pool pools to the coarser grid: 2x2 [[1,2],[3,4]] → 1x1 [5] has increment 5 − 2.5', () => {
    const a = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const b = tf.tensor4d([5], [1, 1, 1, 1]);
    expect(terms([a, b], channel).length).toBeCloseTo(2.5, 5);
  });

  it('stage alignment skips pairs of different shape', () => {
    const a = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const b = tf.tensor4d([5], [1, 1, 1, 1]);
    const c = tf.tensor4d([7], [1, 1, 1, 1]);
    const r = terms([a, b, c], { ...channel, align: 'stage' });
    expect(r.segments[0]).toBeNull();
    expect(r.length).toBeCloseTo(2, 5);
  });
});

describe('FFR curvature', () => {
  const path = () => [vec([[1, 0]]), vec([[1, 1]]), vec([[0, 1]])]; // d1 = [0,1], d2 = [-1,0]

  it('angle: a right-angle turn is π/2', () => {
    expect(terms(path(), channel).curvature).toBeCloseTo(Math.PI / 2, 4);
  });

  it('angle: a straight line has no curvature, a reversal has π', () => {
    expect(terms([vec([[0, 0]]), vec([[1, 1]]), vec([[2, 2]])], channel).curvature).toBeCloseTo(0, 2);
    expect(terms([vec([[0, 0]]), vec([[1, 1]]), vec([[0, 0]])], channel).curvature).toBeCloseTo(Math.PI, 2);
  });

  it('second-difference: ‖d2 − d1‖ / √D = ‖(−1,−1)‖ / √2 = 1', () => {
    expect(terms(path(), { ...channel, curvature: 'second-difference' }).curvature).toBeCloseTo(1, 5);
  });

  it('pad-pool aligns increments of different shapes before the angle: [1] → [1,1] → [1,1,1]', () => {
    // d1 = [0,1] (in 2 channels), d2 = [0,0,1] (in 3 channels): d1 padded to [0,1,0] ⟂ d2.
    expect(terms([vec([[1]]), vec([[1, 1]]), vec([[1, 1, 1]])], channel).curvature).toBeCloseTo(Math.PI / 2, 4);
  });

  it('stage alignment: no turn where the shape changes', () => {
    const r = terms([vec([[1]]), vec([[1, 1]]), vec([[1, 1, 1]])], { ...channel, align: 'stage' });
    expect(r.turns).toEqual([null]);
    expect(r.curvature).toBe(0);
  });
});

describe('adaptive average pooling', () => {
  it('3 → 2 uses overlapping bins [0,2) and [1,3), as PyTorch does', () => {
    const x = tf.tensor4d([1, 2, 3], [1, 3, 1, 1]);
    expect(Array.from(adaptiveAvgPool(x, 2, 1).dataSync())).toEqual([1.5, 2.5]);
  });
});

describe('FFR gradient', () => {
  it('gradient steps on the FFR term shorten and straighten the trajectory', () => {
    const w1 = tf.variable(tf.randomNormal([4, 6], 0, 1, 'float32', 1));
    const w2 = tf.variable(tf.randomNormal([6, 6], 0, 1, 'float32', 2));
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 3);
    const objective = () =>
      tf.tidy(() => {
        const h1 = tf.relu(tf.matMul(x, w1));
        const h2 = tf.relu(tf.matMul(h1, w2));
        const h3 = tf.relu(tf.matMul(h2, w2));
        const t = ffrTerms([h1, h2, h3], channel);
        return tf.add(t.length, tf.mul(t.curvature, 0.1)) as tf.Scalar;
      });
    const before = objective().dataSync()[0]!;
    const opt = tf.train.sgd(0.05);
    for (let i = 0; i < 30; i++) opt.minimize(objective, true, [w1, w2])?.dispose();
    const after = objective().dataSync()[0]!;
    expect(after).toBeLessThan(0.8 * before);
  });
});
