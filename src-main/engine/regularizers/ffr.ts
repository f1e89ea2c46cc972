/**
 * Feature flow regularization: the length and total absolute curvature of the trajectory
 * x_1 → x_2 → … → x_L of hidden features, per sample, averaged over the batch.
 * This is the workbench's reconstruction of Wu et al. 2023; docs/ffr.md states each choice.
 *
 *   d_l = align(x_{l+1}) − align(x_l),  D_l = dim(d_l)
 *   length    channel: Σ_l Σ_c ‖d_l[c]‖₂ / √D_l      l2: Σ_l ‖d_l‖₂ / √D_l
 *   curvature angle:   Σ_l w(d_{l−1}) w(d_l) ∠(d_{l−1}, d_l)   second-difference: Σ_l ‖d_l − d_{l−1}‖₂ / √D
 * (w fades out the angle at a standstill, where it is undefined; see meanTurning.)
 *
 * Which taps form segments, and how each pair is aligned, comes from catalog/models/flow-plan.ts
 * and align.ts. Consecutive increments live in different spaces when the shape changes; they are
 * aligned again (same rule) before they are compared. With `stage` alignment only equal-shape pairs
 * count.
 */
import type { FfrOptions } from '../../shared/run-config';
import { tf, type Tensor } from '../tf';
import { adaptiveAvgPool, alignPair, asImage, byEnergy, placeChannels, sameShape, similarityRows } from './align';
import type { FlowSegment, SegmentLink } from '../../catalog/models/flow-plan';

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
  /** Per segment (see ffrTerms): its mean length over the batch; null where skipped. */
  segmentLengths: Array<tf.Scalar | null>;
  /** Per pair of consecutive segments (see ffrTerms): the mean turning term; null where skipped. */
  turningTerms: Array<tf.Scalar | null>;
}

type FfrShape = Pick<FfrOptions, 'align' | 'curvature' | 'norm'>;

/** Every consecutive pair of taps, aligned by the run's rule: the plan of every alignment but `shortcut`. */
function consecutive(taps: number): FlowSegment[] {
  return Array.from({ length: Math.max(0, taps - 1) }, (_, l) => ({ from: l, to: l + 1, link: { kind: 'align' } as const }));
}

/** A tap as the rule compares it: ordered by energy (rank-pad), as similarity rows (gram), or as it is. */
function prepared(tap: Tensor, align: FfrOptions['align']): tf.Tensor4D {
  if (align === 'gram') return asImage(similarityRows(tap));
  const x = asImage(tap);
  return align === 'rank-pad' ? byEnergy(x) : x;
}

/** d = to − from, in the space the segment's link defines; null where `stage` skips the pair. */
function increment(a: tf.Tensor4D, b: tf.Tensor4D, link: SegmentLink, align: FfrOptions['align']): tf.Tensor4D | null {
  switch (link.kind) {
    case 'identity':
      return tf.sub(b, a) as tf.Tensor4D;
    case 'placement':
      return tf.sub(b, placeChannels(adaptiveAvgPool(a, b.shape[1], b.shape[2]), link.placement, link.channels)) as tf.Tensor4D;
    case 'align': {
      if (align === 'stage') return sameShape(a, b) ? (tf.sub(b, a) as tf.Tensor4D) : null;
      const [x, y] = alignPair(a, b);
      return tf.sub(y, x) as tf.Tensor4D;
    }
  }
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
 * The angle between two increments is undefined when one of them is (nearly) zero — the trajectory
 * stands still — and its gradient grows as 1/‖a‖ there (the angle is scale-free). So the turn is
 * faded out by w(v) = ‖v‖² / (‖v‖² + τ² D) for each increment: an increment whose RMS per entry is
 * τ counts half, a standstill counts nothing, with a bounded gradient (see meanTurning).
 */
const STANDSTILL_RMS = 1e-2;
/**
 * Below this sine the two increments are (anti)parallel to float precision: the direction of the
 * angle's gradient is noise there, and the angle is at its minimum 0 or maximum π, where any
 * subgradient will do: 0.
 */
const MIN_SINE = 1e-4;

/**
 * Mean over the batch of the turning term between two increments a, b (rows of [N, D]).
 *
 * second-difference: T = ‖b − a‖_ε / √D,  ∂T/∂b = (b − a) / (‖b − a‖_ε √D) = −∂T/∂a.
 *
 * angle: T = w(a) w(b) θ, with θ the angle between a and b and w the standstill fade above.
 *   â = a/‖a‖_ε, b̂ = b/‖b‖_ε, c = â·b̂, r_a = b̂ − c â (b̂'s part perpendicular to a), s = ‖r_a‖ = sin θ,
 *   θ = atan2(s, c) (accurate near 0 and π, unlike arccos),
 *   ∂θ/∂a = −r_a / (s ‖a‖)   (unit length / ‖a‖, no 1/sin θ blow-up; 0 where s < MIN_SINE),
 *   ∂w/∂a = 2 a τ²D / (‖a‖² + τ²D)²,
 *   ∂T/∂a = w(b) (θ ∂w/∂a + w(a) ∂θ/∂a), symmetrically for b.
 * So ‖∂T/∂a‖ ≤ π·0.65/(τ√D) + 1/(2τ√D) < 2.6/(τ√D) for every a, and → 0 as a → 0.
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
  const tau2D = STANDSTILL_RMS * STANDSTILL_RMS * dim;
  const op = tf.customGrad((...args) => {
    const [aIn, bIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const na = epsNorm(aIn, [1]); // [N, 1]
    const nb = epsNorm(bIn, [1]);
    const ua = tf.div(aIn, na);
    const ub = tf.div(bIn, nb);
    const c = tf.clipByValue(tf.sum(tf.mul(ua, ub), 1, true), -1, 1);
    const sine = epsNorm(tf.sub(ub, tf.mul(c, ua)), [1]);
    const theta = tf.atan2(sine, c);
    // The fade uses the plain Σ v² (no ε), so a zero increment has weight exactly 0.
    const sqa = tf.sum(tf.square(aIn), 1, true);
    const sqb = tf.sum(tf.square(bIn), 1, true);
    const wa = tf.div(sqa, tf.add(sqa, tau2D));
    const wb = tf.div(sqb, tf.add(sqb, tau2D));
    save([ua, ub, na, nb, c, sine, theta, wa, wb, sqa, sqb]);
    return {
      value: tf.mul(tf.sum(tf.mul(tf.mul(wa, wb), theta)), 1 / n) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, saved: Tensor[]) =>
        tf.tidy(() => {
          const [uas, ubs, nas, nbs, cs, ss, th, was, wbs, sqas, sqbs] = saved as Tensor[] as [
            Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor,
          ];
          const scale = tf.mul(dy, 1 / n);
          // 1/s where the angle has a direction, 0 where a and b are (anti)parallel.
          const invSine = tf.where(tf.greater(ss, MIN_SINE), tf.reciprocal(ss), tf.zerosLike(ss));
          const side = (u: Tensor, v: Tensor, norm: Tensor, sq: Tensor, w: Tensor, wOther: Tensor) => {
            // ∂θ/∂u-side = −(v̂ − c û) / (s ‖u‖); ∂w/∂u = 2 û ‖u‖ τ²D / (Σu² + τ²D)².
            const dTheta = tf.neg(tf.mul(tf.sub(v, tf.mul(cs, u)), tf.div(invSine, norm)));
            const dFade = tf.mul(u, tf.div(tf.mul(norm, 2 * tau2D), tf.square(tf.add(sq, tau2D))));
            return tf.mul(tf.mul(wOther, scale), tf.add(tf.mul(th, dFade), tf.mul(w, dTheta)));
          };
          return [side(uas, ubs, nas, sqas, was, wbs), side(ubs, uas, nbs, sqbs, wbs, was)];
        }),
    };
  });
  return op(a, b) as tf.Scalar;
}

/**
 * Mean turning term between consecutive increments, the earlier one brought into the later one's
 * space first when their shapes differ (through the later segment's shortcut placement, or by
 * pooling and padding).
 */
function turning(prev: tf.Tensor4D, next: tf.Tensor4D, link: SegmentLink, curvature: FfrOptions['curvature']): tf.Scalar {
  let a = prev;
  let b = next;
  if (!sameShape(prev, next)) {
    if (link.kind === 'placement') {
      a = placeChannels(adaptiveAvgPool(prev, next.shape[1], next.shape[2]), link.placement, link.channels);
    } else [a, b] = alignPair(prev, next);
  }
  const n = a.shape[0];
  return meanTurning(tf.reshape(a, [n, -1]), tf.reshape(b, [n, -1]), curvature);
}

/**
 * The FFR terms of a trajectory. `taps` are the trajectory's features in order; `segments` say which
 * pairs are compared and how (catalog/models/flow-plan.ts); by default every consecutive pair, by `opts.align`.
 * segmentLengths[i] belongs to segments[i]; turningTerms[i − 1] is the turn between segments i − 1
 * and i (at tap segments[i].from), null where the two do not meet at one tap or are not comparable.
 */
export function ffrTerms(taps: Tensor[], opts: FfrShape, segments: FlowSegment[] = consecutive(taps.length)): FfrTerms {
  const cache = new Map<number, tf.Tensor4D>();
  const tap = (i: number): tf.Tensor4D => {
    let t = cache.get(i);
    if (!t) {
      const raw = taps[i];
      if (!raw) throw new Error(`The FFR trajectory has no tap ${i}.`);
      t = segments.some((s) => (s.from === i || s.to === i) && s.link.kind === 'align') ? prepared(raw, opts.align) : asImage(raw);
      cache.set(i, t);
    }
    return t;
  };
  const d = segments.map((s) => increment(tap(s.from), tap(s.to), s.link, opts.align));
  const segmentLengths = d.map((di) => (di ? meanSegmentLength(di, opts.norm) : null));
  const turningTerms: Array<tf.Scalar | null> = [];
  for (let i = 1; i < segments.length; i++) {
    const prev = d[i - 1];
    const next = d[i];
    const meet = segments[i - 1]!.to === segments[i]!.from;
    const comparable = meet && prev && next && (opts.align !== 'stage' || sameShape(prev, next));
    turningTerms.push(comparable ? turning(prev, next, segments[i]!.link, opts.curvature) : null);
  }
  const sum = (xs: Array<tf.Scalar | null>): tf.Scalar =>
    xs.reduce<tf.Scalar>((acc, x) => (x ? tf.add(acc, x) : acc), tf.scalar(0));
  return { length: sum(segmentLengths), curvature: sum(turningTerms), segmentLengths, turningTerms };
}
