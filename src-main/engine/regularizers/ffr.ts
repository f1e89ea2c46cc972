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

/** Per-sample length of one increment: [N]. */
function segmentLength(d: tf.Tensor4D, norm: FfrOptions['norm']): tf.Tensor1D {
  const [n, h, w, c] = d.shape;
  const scale = 1 / Math.sqrt(h * w * c);
  if (norm === 'channel') {
    const perChannel = tf.sqrt(tf.add(tf.sum(tf.square(d), [1, 2]), EPS)); // [N, C]
    return tf.mul(tf.sum(perChannel, 1), scale) as tf.Tensor1D;
  }
  return tf.mul(tf.sqrt(tf.add(tf.sum(tf.reshape(tf.square(d), [n, -1]), 1), EPS)), scale) as tf.Tensor1D;
}

/** Per-sample turning term between consecutive increments: [N]. */
function turning(prev: tf.Tensor4D, next: tf.Tensor4D, curvature: FfrOptions['curvature']): tf.Tensor1D {
  const [a, b] = sameShape(prev, next) ? [prev, next] : alignPair(prev, next);
  const n = a.shape[0];
  const fa = tf.reshape(a, [n, -1]);
  const fb = tf.reshape(b, [n, -1]);
  if (curvature === 'second-difference') {
    const dim = fa.shape[1]!;
    return tf.div(tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(fb, fa)), 1), EPS)), Math.sqrt(dim)) as tf.Tensor1D;
  }
  const dot = tf.sum(tf.mul(fa, fb), 1);
  const norms = tf.mul(tf.sqrt(tf.add(tf.sum(tf.square(fa), 1), EPS)), tf.sqrt(tf.add(tf.sum(tf.square(fb), 1), EPS)));
  // Clamped away from ±1, where arccos has an infinite derivative.
  const cos = tf.clipByValue(tf.div(dot, norms), -1 + 1e-6, 1 - 1e-6);
  return tf.acos(cos) as tf.Tensor1D;
}

export function ffrTerms(taps: Tensor[], opts: FfrShape): FfrTerms {
  const d = increments(taps, opts.align);
  const segmentLengths = d.map((di) => (di ? (tf.mean(segmentLength(di, opts.norm)) as tf.Scalar) : null));
  const turningTerms: Array<tf.Scalar | null> = [];
  for (let l = 1; l < d.length; l++) {
    const prev = d[l - 1];
    const next = d[l];
    const comparable = prev && next && (opts.align !== 'stage' || sameShape(prev, next));
    turningTerms.push(comparable ? (tf.mean(turning(prev, next, opts.curvature)) as tf.Scalar) : null);
  }
  const sum = (xs: Array<tf.Scalar | null>): tf.Scalar =>
    xs.reduce<tf.Scalar>((acc, x) => (x ? tf.add(acc, x) : acc), tf.scalar(0));
  return { length: sum(segmentLengths), curvature: sum(turningTerms), segmentLengths, turningTerms };
}
