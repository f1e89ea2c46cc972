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
 * chunk's node outputs inside a tidy (read what you need; the tensors are freed afterwards).
 */
export function forEachProbeChunk(
  spec: ModelSpec,
  params: Params,
  probe: ProbeBatch,
  visit: (features: Map<string, Tensor>, size: number) => void,
): void {
  const [n, h, w, c] = probe.shape;
  for (let start = 0; start < n; start += CHUNK) {
    const size = Math.min(CHUNK, n - start);
    tf.tidy(() => {
      const x = tf.tensor4d(probe.x.subarray(start * h * w * c, (start + size) * h * w * c), [size, h, w, c]);
      visit(forward(spec, params, x, { training: false }).features, size);
    });
  }
}

/** Adds each prunable layer's per-channel Σ|activation| (over samples and positions) to `sums`. */
export function addChannelActivity(spec: ModelSpec, features: Map<string, Tensor>, sums: Map<string, Float64Array>): void {
  for (const layer of spec.prunable) {
    const act = features.get(layer.activityNode)!;
    const axes = act.rank === 4 ? [0, 1, 2] : [0];
    const perChannel = tf.sum(tf.abs(act), axes).dataSync();
    const acc = sums.get(layer.layer) ?? new Float64Array(perChannel.length);
    perChannel.forEach((v, i) => (acc[i] = acc[i]! + v));
    sums.set(layer.layer, acc);
  }
}
