/**
 * Channel importance per prunable layer, as raw (unnormalized) scores; select.ts normalizes them.
 *
 * - spread: standard deviation of the channel's output at the layer's activity node (post-ReLU where
 *   there is one) over the probe batch and all positions, in inference mode. A channel whose output
 *   does not vary carries no information: dead (always 0) or constant (γ≈0 leaves relu(β)); pruning
 *   folds its constant into the next layer's bias (plan.ts). The default for most regularizers
 *   (DEFAULT_IMPORTANCE in run-config.ts).
 * - activity: mean |activation| over the probe batch. Misses constant channels: relu(β) with β > 0
 *   looks active.
 * - l1 / l2: norm of the output filter (kernel slice of the output channel); meaningless under BN,
 *   which rescales the filter away (docs/pruning.md).
 * - bn: |γ| of the layer's batch norm (network slimming's measure); layers without BN fall back to the
 *   filter's L2 norm (the only meaningful measure there).
 */
import type { PruneCriterion } from '../../shared/prune-types';
import { paramsFromValues, disposeParams } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { addChannelMoments, channelSpread, forEachProbeChunk, type ChannelMoments, type ProbeBatch } from '../sparsity/probe';
import type { NamedValues } from '../train/checkpoint';
import type { MeasuredMeans } from './plan';

export type LayerScores = Map<string, Float64Array>;

function weight(weights: NamedValues, name: string): { shape: number[]; values: Float32Array } {
  const w = weights.get(name);
  if (!w) throw new Error(`The model has no weight "${name}".`);
  return w;
}

/** L1 or L2 norm of each output filter of a [.., out] kernel. */
export function filterNorms(kernel: { shape: number[]; values: Float32Array }, p: 1 | 2): Float64Array {
  const out = kernel.shape[kernel.shape.length - 1]!;
  const norms = new Float64Array(out);
  const v = kernel.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    norms[i % out] = norms[i % out]! + (p === 1 ? Math.abs(x) : x * x);
  }
  if (p === 2) for (let c = 0; c < out; c++) norms[c] = Math.sqrt(norms[c]!);
  return norms;
}

/** Per-channel statistics of every prunable layer's output over the probe batch, in inference mode. */
export async function probeMoments(spec: ModelSpec, weights: NamedValues, probe: ProbeBatch): Promise<Map<string, ChannelMoments>> {
  const params = paramsFromValues(weights);
  const moments = new Map<string, ChannelMoments>();
  try {
    await forEachProbeChunk(spec, params, probe, (features) => addChannelMoments(spec, features, moments));
  } finally {
    disposeParams(params);
  }
  return moments;
}

/** spread or activity scores from probe statistics (activity: Σ|a| per image; the spatial size is the same for all channels of a layer). */
export function scoresFromMoments(moments: Map<string, ChannelMoments>, criterion: 'spread' | 'activity', images: number): LayerScores {
  const out: LayerScores = new Map();
  for (const [layer, m] of moments) {
    out.set(layer, criterion === 'spread' ? channelSpread(m) : Float64Array.from(m.absSum, (v) => v / Math.max(1, images)));
  }
  return out;
}

/** Whether a criterion is measured on the probe batch (and so needs one). */
export function needsProbe(criterion: PruneCriterion): criterion is 'spread' | 'activity' {
  return criterion === 'spread' || criterion === 'activity';
}

/** Scores, and for `spread` the channels' mean outputs (what a removed low-spread channel is replaced by). */
export interface MeasuredImportance {
  scores: LayerScores;
  means?: MeasuredMeans;
}

export async function measureImportance(spec: ModelSpec, weights: NamedValues, criterion: PruneCriterion, probe?: ProbeBatch): Promise<MeasuredImportance> {
  if (!needsProbe(criterion)) return { scores: await channelImportance(spec, weights, criterion) };
  if (!probe) throw new Error(`The ${criterion} importance needs a probe batch.`);
  const moments = await probeMoments(spec, weights, probe);
  const scores = scoresFromMoments(moments, criterion, probe.shape[0]);
  if (criterion !== 'spread') return { scores };
  return { scores, means: new Map([...moments].map(([layer, m]) => [layer, m.mean])) };
}

export async function channelImportance(
  spec: ModelSpec,
  weights: NamedValues,
  criterion: PruneCriterion,
  probe?: ProbeBatch,
): Promise<LayerScores> {
  if (needsProbe(criterion)) {
    if (!probe) throw new Error(`The ${criterion} importance needs a probe batch.`);
    return scoresFromMoments(await probeMoments(spec, weights, probe), criterion, probe.shape[0]);
  }
  const scores: LayerScores = new Map();
  for (const layer of spec.prunable) {
    const kernel = weight(weights, `${layer.layer}/kernel`);
    if (criterion === 'bn' && layer.bn) {
      scores.set(layer.layer, Float64Array.from(weight(weights, `${layer.bn}/gamma`).values, Math.abs));
    } else {
      scores.set(layer.layer, filterNorms(kernel, criterion === 'l1' ? 1 : 2));
    }
  }
  return scores;
}
