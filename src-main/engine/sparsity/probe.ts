/**
 * The probe batch: a fixed set of training images, the same every epoch, on which channel activity
 * is measured (for the sparsity snapshots and for activity-based pruning importance).
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

/** Adds each prunable layer's per-channel Σ|activation| (over samples and positions) to `sums`. */
export async function addChannelActivity(spec: ModelSpec, features: Map<string, Tensor>, sums: Map<string, Float64Array>): Promise<void> {
  for (const layer of spec.prunable) {
    const act = features.get(layer.activityNode)!;
    const axes = act.rank === 4 ? [0, 1, 2] : [0];
    const perChannel = await tf.sum(tf.abs(act), axes).data();
    const acc = sums.get(layer.layer) ?? new Float64Array(perChannel.length);
    perChannel.forEach((v, i) => (acc[i] = acc[i]! + v));
    sums.set(layer.layer, acc);
  }
}
