import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { adaptiveAvgPool, alignPair, asImage, sameShape } from './align';
import { ffrTerms } from './ffr';
import type { FlowSegment } from '../../catalog/models/flow-plan';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const channel = { align: 'index-pad', curvature: 'angle', norm: 'channel' } as const;

/** The standstill fade of the angle: w(v) = ‖v‖² / (‖v‖² + τ² D), τ = 1e-2 (ffr.ts). */
const fade = (sq: number, dim: number) => sq / (sq + 1e-4 * dim);

/** Vectors as dense taps: [N, features]. */
const vec = (rows: number[][]) => tf.tensor2d(rows);

function terms(taps: tf.Tensor[], opts: Parameters<typeof ffrTerms>[1], segments?: FlowSegment[]) {
  const t = ffrTerms(taps, opts, segments);
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

  it('index-pad zero-pads channels by index: [1] → [1,2] has increment [0,2], length 2 / √2', () => {
    expect(terms([vec([[1]]), vec([[1, 2]])], channel).length).toBeCloseTo(2 / Math.SQRT2, 5);
  });

  it('rank-pad orders channels by energy first: [1,4] → [2] compares 4 with 2 and 1 with 0, length (2 + 1) / √2', () => {
    expect(terms([vec([[1, 4]]), vec([[2]])], { ...channel, align: 'rank-pad' }).length).toBeCloseTo(3 / Math.SQRT2, 5);
    // index-pad compares 1 with 2 and 4 with 0: (1 + 4) / √2.
    expect(terms([vec([[1, 4]]), vec([[2]])], channel).length).toBeCloseTo(5 / Math.SQRT2, 5);
  });

  it('rank-pad ranks by energy over the whole batch, not per sample', () => {
    // Channel 0 has energy (9 + 0) / 2, channel 1 (1 + 1) / 2: order [0, 1] for both samples.
    const r = terms([vec([[3, 1], [0, 1]]), vec([[3, 1], [0, 1]])], { ...channel, align: 'rank-pad' });
    expect(r.length).toBeCloseTo(0, 5);
  });

  it('gram compares the samples\' cosine similarities: same geometry at another width and scale is no increment', () => {
    const gram = { ...channel, align: 'gram' } as const;
    // Orthogonal rows in 2 and in 3 channels: identity similarity both times.
    expect(terms([vec([[1, 0], [0, 1]]), vec([[0, 0, 2], [3, 0, 0]])], gram).length).toBeCloseTo(0, 5);
    // Parallel rows after orthogonal ones: the off-diagonal similarity goes 0 → 1 for both samples;
    // per sample the row [1, 0] → [1, 1] has increment [0, 1]: channel length (0 + 1) / √2.
    expect(terms([vec([[1, 0], [0, 1]]), vec([[1, 1, 0], [2, 2, 0]])], gram).length).toBeCloseTo(1 / Math.SQRT2, 5);
  });

  it('a placement segment (option-A shortcut) puts channel i at slot placement[i] and compares the other slots with 0', () => {
    const a = tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1]); // pooled to 1×1: 3
    const b = tf.tensor4d([1, 3, 4], [1, 1, 1, 3]);
    const segments: FlowSegment[] = [{ from: 0, to: 1, link: { kind: 'placement', placement: [1], channels: 3 } }];
    // d = [1, 3, 4] − [0, 3, 0] = [1, 0, 4]: channel length (1 + 0 + 4) / √3.
    expect(terms([a, b], channel, segments).length).toBeCloseTo(5 / Math.sqrt(3), 5);
  });

  it('index-pad pools to the coarser grid: 2x2 [[1,2],[3,4]] → 1x1 [5] has increment 5 − 2.5', () => {
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

  it('angle: a right-angle turn is π/2 (times the standstill fades of two unit increments)', () => {
    expect(terms(path(), channel).curvature).toBeCloseTo((Math.PI / 2) * fade(1, 2) ** 2, 5);
  });

  it('angle: a straight line has no curvature, a reversal has π', () => {
    expect(terms([vec([[0, 0]]), vec([[1, 1]]), vec([[2, 2]])], channel).curvature).toBeCloseTo(0, 5);
    expect(terms([vec([[0, 0]]), vec([[1, 1]]), vec([[0, 0]])], channel).curvature).toBeCloseTo(Math.PI * fade(2, 2) ** 2, 5);
  });

  it('angle: a standstill (zero increment) turns by nothing', () => {
    expect(terms([vec([[1, 1]]), vec([[1, 1]]), vec([[2, 1]])], channel).curvature).toBeCloseTo(0, 7);
  });

  it('second-difference: ‖d2 − d1‖ / √D = ‖(−1,−1)‖ / √2 = 1', () => {
    expect(terms(path(), { ...channel, curvature: 'second-difference' }).curvature).toBeCloseTo(1, 5);
  });

  it('index-pad aligns increments of different shapes before the angle: [1] → [1,1] → [1,1,1]', () => {
    // d1 = [0,1] (in 2 channels), d2 = [0,0,1] (in 3 channels): d1 padded to [0,1,0] ⟂ d2.
    expect(terms([vec([[1]]), vec([[1, 1]]), vec([[1, 1, 1]])], channel).curvature).toBeCloseTo((Math.PI / 2) * fade(1, 3) ** 2, 5);
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

/**
 * The FFR terms written as plain tfjs ops and differentiated by autodiff: the reference the
 * closed-form gradients of ffr.ts (and the custom gradient of rank-pad's reordering) are checked
 * against.
 */
function referenceTerms(taps: tf.Tensor[], opts: Parameters<typeof ffrTerms>[1]): tf.Scalar {
  const EPS = 1e-12;
  const prepare = (t: tf.Tensor): tf.Tensor4D => {
    if (opts.align === 'gram') {
      const flat = tf.reshape(t, [t.shape[0]!, -1]);
      const unit = tf.div(flat, tf.sqrt(tf.add(tf.sum(tf.square(flat), 1, true), EPS)));
      return asImage(tf.matMul(unit, unit, false, true));
    }
    const x = asImage(t);
    if (opts.align !== 'rank-pad') return x;
    const energy = Array.from(tf.mean(tf.square(x), [0, 1, 2]).dataSync());
    const order = energy.map((e, i) => [e, i] as const).sort((p, q) => q[0] - p[0] || p[1] - q[1]).map(([, i]) => i);
    return tf.gather(x, tf.tensor1d(order, 'int32'), 3) as tf.Tensor4D;
  };
  const xs = taps.map(prepare);
  const d: Array<tf.Tensor4D | null> = [];
  for (let l = 0; l + 1 < xs.length; l++) {
    const [a, b] = [xs[l]!, xs[l + 1]!];
    if (opts.align === 'stage') d.push(sameShape(a, b) ? (tf.sub(b, a) as tf.Tensor4D) : null);
    else {
      const [x, y] = alignPair(a, b);
      d.push(tf.sub(y, x) as tf.Tensor4D);
    }
  }
  let total: tf.Scalar = tf.scalar(0);
  for (const di of d) {
    if (!di) continue;
    const [n, h, w, c] = di.shape;
    const axes = opts.norm === 'channel' ? [1, 2] : [1, 2, 3];
    const groupNorms = tf.sqrt(tf.add(tf.sum(tf.square(di), axes), EPS));
    const perSample = opts.norm === 'channel' ? tf.sum(groupNorms, 1) : groupNorms;
    total = tf.add(total, tf.mean(tf.reshape(tf.mul(perSample, 1 / Math.sqrt(h * w * c)), [n])));
  }
  for (let l = 1; l < d.length; l++) {
    const [p, q] = [d[l - 1], d[l]];
    if (!p || !q || (opts.align === 'stage' && !sameShape(p, q))) continue;
    const [a, b] = sameShape(p, q) ? [p, q] : alignPair(p, q);
    const n = a.shape[0];
    const fa = tf.reshape(a, [n, -1]);
    const fb = tf.reshape(b, [n, -1]);
    const dim = fa.shape[1]!;
    const sq = (x: tf.Tensor) => tf.add(tf.sum(tf.square(x), 1), EPS);
    const norm = (x: tf.Tensor) => tf.sqrt(sq(x));
    const plainSq = (x: tf.Tensor) => tf.sum(tf.square(x), 1);
    const w = (x: tf.Tensor) => tf.div(plainSq(x), tf.add(plainSq(x), 1e-4 * dim));
    const cos = tf.div(tf.sum(tf.mul(fa, fb), 1), tf.mul(norm(fa), norm(fb)));
    // arccos has an infinite slope at ±1: clipped for autodiff, plus the (gradient-free) rest of the
    // angle where the clip is active, so exact reversals count π as in ffr.ts.
    const clipped = tf.acos(tf.clipByValue(cos, -1 + 1e-6, 1 - 1e-6));
    const rest = tf.tensor(tf.sub(tf.acos(tf.clipByValue(cos, -1, 1)), clipped).dataSync() as Float32Array, clipped.shape);
    const term =
      opts.curvature === 'second-difference'
        ? tf.div(norm(tf.sub(fb, fa)), Math.sqrt(dim))
        : tf.mul(tf.mul(w(fa), w(fb)), tf.add(clipped, rest));
    total = tf.add(total, tf.mul(tf.mean(term), 0.7));
  }
  return total;
}

describe('FFR closed-form gradients match autodiff of the plain formulas', () => {
  // Taps of a small CNN-like trajectory: two 6x6x3 maps, a pooled 3x3x5 map (pool + channel pad),
  // another 3x3x5, a dense [N, 7] tap. Sample 2's first two taps are equal (a zero increment, the
  // ε path and the standstill fade) and sample 3's last segment nearly reverses its previous one.
  function taps(): tf.Tensor[] {
    const t0 = tf.randomNormal([3, 6, 6, 3], 0, 1, 'float32', 11);
    const t1 = tf.concat([tf.randomNormal([1, 6, 6, 3], 0, 1, 'float32', 12), tf.slice(t0, [1, 0, 0, 0], [1, 6, 6, 3]), tf.randomNormal([1, 6, 6, 3], 0, 1, 'float32', 13)]);
    const t2 = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 14);
    const t3 = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 15);
    // Sample 3 of t4 goes nearly back along its previous increment: t4 = t3 − 2 (t3 − t2) + noise.
    const back = tf.add(tf.sub(t3, tf.mul(tf.sub(t3, t2), 2)), tf.randomNormal([3, 3, 3, 5], 0, 0.3, 'float32', 17));
    const t4 = tf.concat([tf.slice(t2, [0, 0, 0, 0], [2, 3, 3, 5]), tf.slice(back, [2, 0, 0, 0], [1, 3, 3, 5])]);
    const t5 = tf.randomNormal([3, 7], 0, 1, 'float32', 16);
    return [t0, t1, t2, t3, t4, t5];
  }

  for (const align of ['rank-pad', 'gram', 'index-pad', 'stage'] as const) {
    for (const norm of ['channel', 'l2'] as const) {
      for (const curvature of ['angle', 'second-difference'] as const) {
        it(`align ${align}, norm ${norm}, curvature ${curvature}: value and gradient wrt every tap within 1e-4`, () => {
          const opts = { align, norm, curvature };
          // With stage alignment the dense tap is in no counted pair, hence has no gradient: leave it out.
          const xs = align === 'stage' ? taps().slice(0, 5) : taps();
          const ours = (...t: tf.Tensor[]) => {
            const r = ffrTerms(t, opts);
            return tf.add(r.length, tf.mul(r.curvature, 0.7)) as tf.Scalar;
          };
          const reference = (...t: tf.Tensor[]) => referenceTerms(t, opts);
          const got = tf.valueAndGrads(ours)(xs);
          const want = tf.valueAndGrads(reference)(xs);
          expect(got.value.dataSync()[0]!).toBeCloseTo(want.value.dataSync()[0]!, 4);
          got.grads.forEach((g, i) => {
            const w = want.grads[i]!;
            const scale = Math.max(1e-6, tf.max(tf.abs(w)).dataSync()[0]!);
            const err = tf.max(tf.abs(tf.sub(g, w))).dataSync()[0]! / scale;
            expect(err, `tap ${i}`).toBeLessThan(1e-4);
          });
        });
      }
    }
  }
});

describe('the angle term near a standstill', () => {
  // Taps x0 → x1 = x0 + a → x2 = x1 + b with a of RMS r per entry; the gradient is ∂T/∂a.
  const D = 400;
  const b = tf.randomNormal([1, D], 0, 1, 'float32', 21);
  const dir = tf.randomNormal([1, D], 0, 1, 'float32', 22);
  const unitDir = tf.div(dir, tf.norm(dir));
  const x0 = tf.randomNormal([1, D], 0, 1, 'float32', 23);
  const gradAt = (rms: number): Float32Array => {
    const curvature = (a: tf.Tensor) => {
      const x1 = tf.add(x0, a);
      return ffrTerms([x0, x1, tf.add(x1, b)], { align: 'index-pad', norm: 'channel', curvature: 'angle' }).curvature;
    };
    return tf.grad(curvature)(tf.mul(unitDir, rms * Math.sqrt(D))).dataSync() as Float32Array;
  };
  const norm = (g: Float32Array) => Math.hypot(...g);

  it('has a gradient bounded by 2.6 / (τ √D) at every size of the increment, finite everywhere', () => {
    const bound = 2.6 / (1e-2 * Math.sqrt(D));
    for (const rms of [0, 1e-9, 1e-7, 1e-5, 1e-3, 1e-2, 1e-1, 1, 10]) {
      const g = gradAt(rms);
      expect(g.every(Number.isFinite), `rms ${rms}`).toBe(true);
      expect(norm(g), `rms ${rms}`).toBeLessThan(bound);
    }
  });

  it('has a gradient that vanishes as the increment does (0 at exactly zero)', () => {
    expect(norm(gradAt(0))).toBeLessThan(1e-6);
    expect(norm(gradAt(1e-7))).toBeLessThan(1e-3);
    expect(norm(gradAt(1e-9))).toBeLessThan(1e-5);
  });

  it('keeps the angle\'s own gradient, 1/‖a‖ across the plane of a and b, for ordinary increments', () => {
    // At RMS 1 the fade is ≈ 1 and ‖∂θ/∂a‖ = 1/‖a‖ = 1/√D.
    expect(norm(gradAt(1))).toBeCloseTo(1 / Math.sqrt(D), 3);
  });

  it('is finite at an exact straight line and an exact reversal (θ at 0 or π: subgradient 0 there)', () => {
    const line = tf.grad((a: tf.Tensor) => ffrTerms([x0, tf.add(x0, a), tf.add(tf.add(x0, a), a)], channel).curvature)(b);
    const back = tf.grad((a: tf.Tensor) => ffrTerms([x0, tf.add(x0, a), x0], channel).curvature)(b);
    expect(Array.from(line.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Array.from(back.dataSync()).every(Number.isFinite)).toBe(true);
  });
});
