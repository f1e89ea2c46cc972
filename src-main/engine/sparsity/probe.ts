/**
 * The probe batch: a fixed set of training images, the same every epoch, on which channel activity
 * and spread are measured (for the sparsity snapshots and for activity- and spread-based pruning
 * importance).
 */
import { forward } from '../models/forward';
import type { Params } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { tf, type Tensor } from '../tf';

export interface ProbeBatch {
  x: Float32Array;
  shape: [number, number, number, number];
}

/** Probe images per forward pass: bounds memory on large models. */
const CHUNK = 64;

/**
 * Runs the probe batch through the model in inference mode, a chunk at a time; `visit` sees each
 * chunk's node outputs (read what you need, asynchronously; they are freed when it resolves).
 */
export async function forEachProbeChunk(
  spec: ModelSpec,
  params: Params,
  probe: ProbeBatch,
  visit: (features: Map<string, Tensor>, size: number) => Promise<void>,
): Promise<void> {
  const [n, h, w, c] = probe.shape;
  for (let start = 0; start < n; start += CHUNK) {
    const size = Math.min(CHUNK, n - start);
    // A scope instead of tf.tidy, which cannot wait for an asynchronous read.
    tf.engine().startScope();
    try {
      const x = tf.tensor4d(probe.x.subarray(start * h * w * c, (start + size) * h * w * c), [size, h, w, c]);
      await visit(forward(spec, params, x, { training: false }).features, size);
    } finally {
      tf.engine().endScope();
    }
  }
}

/**
 * Per-channel statistics of one prunable layer's output over the probe batch (all samples and
 * positions), accumulated chunk by chunk in float64.
 */
export interface ChannelMoments {
  /** Σ |a| per channel. */
  absSum: Float64Array;
  /** Mean per channel. */
  mean: Float64Array;
  /** Σ (a − mean)² per channel. */
  m2: Float64Array;
  /** Values per channel seen so far (samples × positions). */
  count: number;
}

/**
 * Adds each prunable layer's per-channel statistics of this chunk to `moments`. Variances are
 * combined from per-chunk centred moments (Chan et al.'s parallel update), so a channel that is a
 * large constant does not get a spread from cancellation. Reads asynchronously (webgpu cannot read
 * synchronously); the tensors it makes are freed with the chunk's scope (forEachProbeChunk).
 */
export async function addChannelMoments(spec: ModelSpec, features: Map<string, Tensor>, moments: Map<string, ChannelMoments>): Promise<void> {
  for (const layer of spec.prunable) {
    const act = features.get(layer.activityNode)!;
    const axes = act.rank === 4 ? [0, 1, 2] : [0];
    const n = act.size / act.shape[act.rank - 1]!;
    const m = tf.moments(act, axes);
    const [absSum, mean, variance] = await Promise.all([tf.sum(tf.abs(act), axes).data(), m.mean.data(), m.variance.data()]);
    let acc = moments.get(layer.layer);
    if (!acc) {
      const c = absSum.length;
      acc = { absSum: new Float64Array(c), mean: new Float64Array(c), m2: new Float64Array(c), count: 0 };
      moments.set(layer.layer, acc);
    }
    const total = acc.count + n;
    for (let i = 0; i < absSum.length; i++) {
      const delta = mean[i]! - acc.mean[i]!;
      acc.absSum[i] = acc.absSum[i]! + absSum[i]!;
      acc.m2[i] = acc.m2[i]! + variance[i]! * n + (delta * delta * acc.count * n) / total;
      acc.mean[i] = acc.mean[i]! + (delta * n) / total;
    }
    acc.count = total;
  }
}

/** Standard deviation per channel (over samples and positions) from accumulated moments. */
export function channelSpread(m: ChannelMoments): Float64Array {
  return Float64Array.from(m.m2, (v) => Math.sqrt(Math.max(0, v) / Math.max(1, m.count)));
}
