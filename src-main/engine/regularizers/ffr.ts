/**
 * Feature flow regularization: the length and total absolute curvature of the trajectory
 * x_1 → x_2 → … → x_L of hidden features, per sample, averaged over the batch.
 * This is the workbench's reconstruction of Wu et al. 2023; docs/ffr.md states each choice.
 *
 *   d_l = align(x_{l+1}) − align(x_l),  D_l = dim(d_l)
 *   length    channel: Σ_l Σ_c ‖d_l[c]‖₂ / √D_l      l2: Σ_l ‖d_l‖₂ / √D_l
 *   curvature angle:   Σ_l arccos(cos(d_l, d_{l−1}))   second-difference: Σ_l ‖d_l − d_{l−1}‖₂ / √D
 *
 * Consecutive increments live in different spaces when the shape changes; they are aligned again
 * (same rule) before they are compared. With `stage` alignment only equal-shape pairs count.
 */
import type { FfrOptions } from '../../shared/run-config';
import { tf, type Tensor } from '../tf';
import { alignPair, asImage, sameShape } from './align';

/** Keeps sqrt and division differentiable at exactly zero increments (dead channels). */
const EPS = 1e-12;

/** √(Σ x² + ε) over `axes`, kept as size-1 axes so it broadcasts back against x. */
function epsNorm(x: Tensor, axes: number[]): Tensor {
  return tf.sqrt(tf.add(tf.sum(tf.square(x), axes, true), EPS));
}

export interface FfrTerms {
  /** Scalar: mean over samples of the summed segment lengths. */
  length: tf.Scalar;
  /** Scalar: mean over samples of the summed turning terms. */
  curvature: tf.Scalar;
  /** Per segment l (between taps l and l+1): its mean length over the batch; null where skipped. */
  segmentLengths: Array<tf.Scalar | null>;
  /** Per inner tap l (between segments l−1 and l): its mean turning term; null where skipped. */
  turningTerms: Array<tf.Scalar | null>;
}

type FfrShape = Pick<FfrOptions, 'align' | 'curvature' | 'norm'>;

/** Increments d_l of the trajectory, aligned; null where `stage` alignment skips a pair. */
function increments(taps: Tensor[], align: FfrOptions['align']): Array<tf.Tensor4D | null> {
  const out: Array<tf.Tensor4D | null> = [];
  for (let l = 0; l + 1 < taps.length; l++) {
    const a = taps[l]!;
    const b = taps[l + 1]!;
    if (align === 'stage') {
      out.push(sameShape(a, b) ? (tf.sub(asImage(b), asImage(a)) as tf.Tensor4D) : null);
    } else {
      const [x, y] = alignPair(a, b);
      out.push(tf.sub(y, x) as tf.Tensor4D);
    }
  }
  return out;
}

/*
 * The length and turning terms below are tf.customGrad ops with their gradients in closed form.
 * Differentiated by tfjs's autodiff they kept every intermediate (squares, products, norms) of every
 * tap pair alive until the backward pass, and the backward pass allocated as many again: on a
 * ResNet-56 step (batch 64, wasm) the FFR terms took the peak heap from 1.0 GB to 3.5 GB and the step
 * from 8.4 s to 12.3 s. Now only the increments themselves and per-sample norms are kept. The
 * gradient functions run in their own tidy, so their temporaries go as soon as they are computed.
 * ffr.test.ts checks values and gradients against the plain autodiff formulation.
 */

/**
 * Mean over the batch of one segment's length. norms are per sample and channel ([N,1,1,C],
 * `channel`) or per sample ([N,1,1,1], `l2`), g = √(Σ d² + ε) over the grouped entries, and
 *   L = (1/N) Σ_n Σ_groups g · s,  s = 1/√D,   ∂L/∂d = d · s / (N · g).
 */
function meanSegmentLength(d: tf.Tensor4D, norm: FfrOptions['norm']): tf.Scalar {
  const [n, h, w, c] = d.shape;
  const factor = 1 / (Math.sqrt(h * w * c) * n);
  const axes = norm === 'channel' ? [1, 2] : [1, 2, 3];
  const op = tf.customGrad((...args) => {
    const [dIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const groupNorms = epsNorm(dIn, axes);
    save([dIn, groupNorms]);
    return {
      value: tf.mul(tf.sum(groupNorms), factor) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, saved: Tensor[]) =>
        tf.tidy(() => tf.mul(tf.div(saved[0]!, saved[1]!), tf.mul(dy, factor))),
    };
  });
  return op(d) as tf.Scalar;
}

/**
 * Mean over the batch of the turning term between two increments a, b (rows of [N, D]).
 * second-difference: T = ‖b − a‖_ε / √D,  ∂T/∂b = (b − a) / (‖b − a‖_ε √D) = −∂T/∂a.
 * angle: c = a·b / (‖a‖_ε ‖b‖_ε), T = arccos(clip(c)) with c clipped away from ±1 (infinite slope
 * there; the clip passes no gradient outside its range, as tf.clipByValue), and
 *   ∂T/∂a = −(1/√(1 − c²)) (b / (‖a‖‖b‖) − c a / ‖a‖²), symmetrically for b.
 */
function meanTurning(a: tf.Tensor2D, b: tf.Tensor2D, curvature: FfrOptions['curvature']): tf.Scalar {
  const [n, dim] = a.shape;
  if (curvature === 'second-difference') {
    const op = tf.customGrad((...args) => {
      const [aIn, bIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
      const diffNorm = epsNorm(tf.sub(bIn, aIn), [1]); // [N, 1]
      save([aIn, bIn, diffNorm]);
      return {
        value: tf.mul(tf.sum(diffNorm), 1 / (Math.sqrt(dim) * n)) as tf.Scalar,
        gradFunc: (dy: tf.Scalar, saved: Tensor[]) =>
          tf.tidy(() => {
            const [as, bs, ns] = saved as [Tensor, Tensor, Tensor];
            const db = tf.mul(tf.div(tf.sub(bs, as), ns), tf.mul(dy, 1 / (Math.sqrt(dim) * n)));
            return [tf.neg(db), db];
          }),
      };
    });
    return op(a, b) as tf.Scalar;
  }
  const lo = -1 + 1e-6;
  const hi = 1 - 1e-6;
  const op = tf.customGrad((...args) => {
    const [aIn, bIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const na = epsNorm(aIn, [1]);
    const nb = epsNorm(bIn, [1]);
    const cos = tf.div(tf.sum(tf.mul(aIn, bIn), 1, true), tf.mul(na, nb)); // [N, 1]
    save([aIn, bIn, na, nb, cos]);
    return {
      value: tf.mul(tf.sum(tf.acos(tf.clipByValue(cos, lo, hi))), 1 / n) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, saved: Tensor[]) =>
        tf.tidy(() => {
          const [as, bs, nas, nbs, c] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
          const inside = tf.logicalAnd(tf.greaterEqual(c, lo), tf.lessEqual(c, hi));
          const clipped = tf.clipByValue(c, lo, hi);
          // dT/dc per sample, zero where the clip is active, times the upstream gradient and 1/N.
          const k = tf.where(inside, tf.mul(tf.neg(tf.rsqrt(tf.sub(1, tf.square(clipped)))), tf.mul(dy, 1 / n)), tf.zerosLike(c));
          const nanb = tf.mul(nas, nbs);
          const da = tf.mul(k, tf.sub(tf.div(bs, nanb), tf.mul(tf.div(c, tf.square(nas)), as)));
          const db = tf.mul(k, tf.sub(tf.div(as, nanb), tf.mul(tf.div(c, tf.square(nbs)), bs)));
          return [da, db];
        }),
    };
  });
  return op(a, b) as tf.Scalar;
}

/** Mean turning term between consecutive increments, aligned first when their shapes differ. */
function turning(prev: tf.Tensor4D, next: tf.Tensor4D, curvature: FfrOptions['curvature']): tf.Scalar {
  const [a, b] = sameShape(prev, next) ? [prev, next] : alignPair(prev, next);
  const n = a.shape[0];
  return meanTurning(tf.reshape(a, [n, -1]), tf.reshape(b, [n, -1]), curvature);
}

export function ffrTerms(taps: Tensor[], opts: FfrShape): FfrTerms {
  const d = increments(taps, opts.align);
  const segmentLengths = d.map((di) => (di ? meanSegmentLength(di, opts.norm) : null));
  const turningTerms: Array<tf.Scalar | null> = [];
  for (let l = 1; l < d.length; l++) {
    const prev = d[l - 1];
    const next = d[l];
    const comparable = prev && next && (opts.align !== 'stage' || sameShape(prev, next));
    turningTerms.push(comparable ? turning(prev, next, opts.curvature) : null);
  }
  const sum = (xs: Array<tf.Scalar | null>): tf.Scalar =>
    xs.reduce<tf.Scalar>((acc, x) => (x ? tf.add(acc, x) : acc), tf.scalar(0));
  return { length: sum(segmentLengths), curvature: sum(turningTerms), segmentLengths, turningTerms };
}
