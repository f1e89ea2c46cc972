/**
 * The baseline regularizers FFR is compared against, on the same prunable layers:
 *   l1           Σ |w| over conv and dense kernels: unstructured (it zeroes single weights, not channels)
 *   group-lasso  Σ_f ‖G_f‖₂ over one group per output channel f of every prunable layer; what G_f
 *                holds is `groupLassoGroup` (run-config.ts): the channel (filter + bias + BN γ, β,
 *                the default), that plus the next layers' input slices, or the filter alone
 *   slimming     Σ |γ| over the batch norms of prunable layers (Liu et al. 2017, network slimming)
 */
import type { GroupLassoGroup } from '../../shared/run-config';
import { requireParam, type Params } from '../models/init';
import { findNode, inferShapes, type FeatureShape, type LayerNode, type ModelSpec, type PrunableLayer } from '../../catalog/models/spec';
import { tf, type Tensor } from '../tf';

export function l1Penalty(spec: ModelSpec, params: Params): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  for (const node of spec.nodes) {
    if (node.op === 'conv2d' || node.op === 'dense') {
      total = tf.add(total, tf.sum(tf.abs(requireParam(params, `${node.name}/kernel`))));
    }
  }
  return total;
}

/** A weight that reads a layer's channels: conv kernels on their input axis, dense kernels per row. */
export interface ChannelConsumer {
  weight: string;
  kind: 'conv' | 'dense';
  /** dense after a flatten: rows are position · channels + channel; 1 otherwise. */
  positions: number;
}

/**
 * The kernels that read a prunable layer's output channels, following relu, max-pooling, global
 * average pooling and flatten from the layer's activity node. A residual addition is not followed
 * (its channels are shared by a whole stage, not this layer's own).
 */
export function channelConsumers(spec: ModelSpec, layer: PrunableLayer): ChannelConsumer[] {
  const readers = (name: string): LayerNode[] => spec.nodes.filter((n) => (n.op === 'add' ? n.inputs.includes(name) : n.input === name));
  const out: ChannelConsumer[] = [];
  const walk = (name: string, positions: number): void => {
    for (const r of readers(name)) {
      if (r.op === 'relu' || r.op === 'maxpool' || r.op === 'globalavgpool') walk(r.name, positions);
      else if (r.op === 'flatten') walk(r.name, flattenPositions(spec, r.input));
      else if (r.op === 'conv2d') out.push({ weight: `${r.name}/kernel`, kind: 'conv', positions: 1 });
      else if (r.op === 'dense') out.push({ weight: `${r.name}/kernel`, kind: 'dense', positions });
    }
  };
  walk(layer.activityNode, 1);
  return out;
}

const shapesOf = new WeakMap<ModelSpec, Map<string, FeatureShape>>();

/** h·w of an image node's output: how many rows of a flatten each of its channels occupies. */
function flattenPositions(spec: ModelSpec, name: string): number {
  let shapes = shapesOf.get(spec);
  if (!shapes) shapesOf.set(spec, (shapes = inferShapes(spec)));
  const shape = shapes.get(name)!;
  return shape.length === 3 ? shape[0]! * shape[1]! : 1;
}

/** Σ of squares of each output channel's group members, [channels]. */
function groupSquares(spec: ModelSpec, params: Params, layer: PrunableLayer, group: GroupLassoGroup): Tensor {
  const kernel = requireParam(params, `${layer.layer}/kernel`);
  const units = kernel.shape[kernel.rank - 1]!;
  let sq: Tensor = tf.sum(tf.square(tf.reshape(kernel, [-1, units])), 0);
  if (group === 'filter') return sq;
  const node = findNode(spec, layer.layer);
  if ((node.op === 'conv2d' || node.op === 'dense') && node.useBias) sq = tf.add(sq, tf.square(requireParam(params, `${layer.layer}/bias`)));
  if (layer.bn) {
    sq = tf.add(sq, tf.square(requireParam(params, `${layer.bn}/gamma`)));
    sq = tf.add(sq, tf.square(requireParam(params, `${layer.bn}/beta`)));
  }
  if (group === 'channel') return sq;
  for (const c of channelConsumers(spec, layer)) {
    const k = requireParam(params, c.weight);
    if (c.kind === 'conv') sq = tf.add(sq, tf.sum(tf.square(k), [0, 1, 3]));
    else sq = tf.add(sq, tf.sum(tf.square(tf.reshape(k, [c.positions, units, -1])), [0, 2]));
  }
  return sq;
}

export function groupLassoPenalty(spec: ModelSpec, params: Params, group: GroupLassoGroup): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  for (const layer of spec.prunable) {
    total = tf.add(total, tf.sum(tf.sqrt(tf.add(groupSquares(spec, params, layer, group), 1e-12))));
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
