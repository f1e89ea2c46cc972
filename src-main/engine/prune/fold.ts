/**
 * Constant folding for removed channels.
 *
 * A removed channel whose output does not depend on the input is a constant k (per channel). Cutting
 * it would lose k's contribution downstream, so k is folded into what reads it:
 *   dense consumer:              bias[o] += Σ_idx k(idx) · W[idx, o]   (flatten repeats k per position)
 *   conv consumer, no padding:   bias[o] += k · Σ_{kh,kw} K[kh, kw, c, o]
 *   consumer without a bias but followed by a batch norm: the BN's running mean −= that delta
 *   (the same thing in inference mode).
 * A conv with padding sees k only inside the image: at the borders the zero padding replaces part
 * of it, so no bias reproduces it exactly. A channel that is constant by its weights (exactly, for
 * every input) is then **kept** instead, and so are residual channels, whose constant enters an
 * addition; the report names them. A channel removed for its low spread is only nearly constant and
 * its removal is approximate anyway: its measured mean is folded into a padded conv as into an
 * unpadded one ('interior' mode: exact inside the image, off by the padding at the borders), which
 * is closer than dropping it as 0 — and keeping it would leave spread unable to prune any network of
 * padded convolutions (ResNets, VGG). The report marks such folds `exact: false`.
 *
 * When is a channel constant? When its variable part is negligible, by the layer's own weights:
 * |γ| ≤ 1e-3 · max|γ| of the layer (output = β), or a filter of L2 norm ≤ 1e-3 · the layer's largest
 * (output = BN(bias) or bias). k is that value after the layer's ReLU. Any other removed channel is
 * dropped as usual in structured pruning (its output is taken as zero).
 */
import { findNode, type LayerNode, type ModelSpec, type PrunableLayer } from '../../catalog/models/spec';
import type { NamedValues } from '../train/checkpoint';
import { filterNorms } from './importance';

export const CONSTANT_TOLERANCE = 1e-3;

/** Where a layer's constant lands: the nodes whose bias (or following BN mean) absorbs it. */
export interface FoldTarget {
  consumer: string;
  /** Bias of the consumer, or the running mean of the BN that follows it. */
  into: { kind: 'bias'; weight: string } | { kind: 'bn-mean'; weight: string };
}

function readers(spec: ModelSpec, name: string): LayerNode[] {
  return spec.nodes.filter((n) => (n.op === 'add' ? n.inputs.includes(name) : n.input === name));
}

/**
 * The fold targets of a prunable layer, or a reason why its constant cannot be folded exactly.
 * The path layer → [bn] → [relu] must be private (no other reader), then relu / maxpool / global
 * average pooling / flatten may follow before the consumers.
 */
export type PaddedConsumers = 'refuse' | 'interior';

export function foldTargets(spec: ModelSpec, layer: PrunableLayer, padded: PaddedConsumers = 'refuse'): FoldTarget[] | string {
  // The private chain up to the activity node.
  let at = layer.layer;
  while (at !== layer.activityNode) {
    const next = readers(spec, at);
    if (next.length !== 1) return `${at} feeds several nodes`;
    at = next[0]!.name;
  }
  const targets: FoldTarget[] = [];
  const walk = (name: string): string | null => {
    for (const r of readers(spec, name)) {
      if (r.op === 'relu' || r.op === 'maxpool' || r.op === 'globalavgpool' || r.op === 'flatten') {
        const why = walk(r.name);
        if (why) return why;
        continue;
      }
      if (r.op === 'conv2d' && padded === 'refuse' && !(r.padding === 'valid' || r.padding === 0)) {
        return `it feeds the padded convolution ${r.name}, where a constant does not fold exactly at the borders`;
      }
      if (r.op !== 'conv2d' && r.op !== 'dense') return `it feeds ${r.op} ${r.name}`;
      if (r.useBias) {
        targets.push({ consumer: r.name, into: { kind: 'bias', weight: `${r.name}/bias` } });
        continue;
      }
      const after = readers(spec, r.name);
      if (after.length === 1 && after[0]!.op === 'batchnorm') {
        targets.push({ consumer: r.name, into: { kind: 'bn-mean', weight: `${after[0]!.name}/movingMean` } });
        continue;
      }
      return `${r.name} has no bias to absorb it`;
    }
    return null;
  };
  const why = walk(layer.activityNode);
  return why ?? targets;
}

/**
 * The constant output (at the activity node) of each listed channel that is constant, by the rule
 * above; channels that are not constant are absent.
 */
export function channelConstants(spec: ModelSpec, weights: NamedValues, layer: PrunableLayer, channels: number[]): Map<number, number> {
  const out = new Map<number, number>();
  const kernel = weights.get(`${layer.layer}/kernel`)!;
  const norms = filterNorms(kernel, 2);
  const maxNorm = Math.max(0, ...norms);
  const node = findNode(spec, layer.layer);
  const useBias = (node.op === 'conv2d' || node.op === 'dense') && node.useBias;
  const bias = useBias ? weights.get(`${layer.layer}/bias`)!.values : null;
  const relu = findNode(spec, layer.activityNode).op === 'relu';
  const bn = layer.bn ? findNode(spec, layer.bn) : null;
  const g = layer.bn ? weights.get(`${layer.bn}/gamma`)!.values : null;
  const maxGamma = g ? Math.max(0, ...Array.from(g, Math.abs)) : 0;
  for (const c of channels) {
    const b = bias ? bias[c]! : 0;
    const zeroFilter = norms[c]! <= CONSTANT_TOLERANCE * maxNorm;
    let pre: number | null = null;
    if (bn && bn.op === 'batchnorm' && g) {
      const beta = weights.get(`${layer.bn}/beta`)!.values[c]!;
      if (Math.abs(g[c]!) <= CONSTANT_TOLERANCE * maxGamma) pre = beta;
      else if (zeroFilter) {
        const mean = weights.get(`${layer.bn}/movingMean`)!.values[c]!;
        const variance = weights.get(`${layer.bn}/movingVariance`)!.values[c]!;
        pre = (g[c]! * (b - mean)) / Math.sqrt(variance + bn.epsilon) + beta;
      }
    } else if (zeroFilter) pre = b;
    if (pre === null) continue;
    const k = relu ? Math.max(0, pre) : pre;
    if (k !== 0) out.set(c, k);
  }
  return out;
}
