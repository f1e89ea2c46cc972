/**
 * The baseline regularizers FFR is compared against, on the same prunable layers:
 *   l1           Σ |w| over conv and dense kernels
 *   group-lasso  Σ_f ‖W_f‖₂ over the output filters (units) of every prunable layer
 *   slimming     Σ |γ| over the batch norms of prunable layers (Liu et al. 2017, network slimming)
 */
import { requireParam, type Params } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { tf } from '../tf';

export function l1Penalty(spec: ModelSpec, params: Params): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  for (const node of spec.nodes) {
    if (node.op === 'conv2d' || node.op === 'dense') {
      total = tf.add(total, tf.sum(tf.abs(requireParam(params, `${node.name}/kernel`))));
    }
  }
  return total;
}

export function groupLassoPenalty(spec: ModelSpec, params: Params): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  for (const layer of spec.prunable) {
    const kernel = requireParam(params, `${layer.layer}/kernel`);
    const units = kernel.shape[kernel.rank - 1]!;
    // One group per output filter: all weights feeding that channel.
    const perFilter = tf.sqrt(tf.add(tf.sum(tf.square(tf.reshape(kernel, [-1, units])), 0), 1e-12));
    total = tf.add(total, tf.sum(perFilter));
  }
  return total;
}

export function slimmingPenalty(spec: ModelSpec, params: Params): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  for (const layer of spec.prunable) {
    if (layer.bn) total = tf.add(total, tf.sum(tf.abs(requireParam(params, `${layer.bn}/gamma`))));
  }
  return total;
}
