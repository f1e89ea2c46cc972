/**
 * Channel importance per prunable layer, as raw (unnormalized) scores; select.ts normalizes them.
 *
 * - activity: mean |activation| of the channel at the layer's activity node (post-ReLU where there is
 *   one) over the probe batch, in inference mode. The default for BN networks: with BN after a conv
 *   the filter's norm does not change the output (docs/pruning.md), the activity does.
 * - l1 / l2: norm of the output filter (kernel slice of the output channel).
 * - bn: |γ| of the layer's batch norm; layers without BN fall back to the filter's L2 norm (the only
 *   meaningful measure there), and the report says so through the criterion's documentation.
 */
import type { PruneCriterion } from '../../shared/prune-types';
import { paramsFromValues, disposeParams } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { addChannelActivity, forEachProbeChunk, type ProbeBatch } from '../sparsity/probe';
import type { NamedValues } from '../train/checkpoint';

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

/** Mean |activation| per channel at each prunable layer's activity node, over the probe batch. */
export async function activityScores(spec: ModelSpec, weights: NamedValues, probe: ProbeBatch): Promise<LayerScores> {
  const params = paramsFromValues(weights);
  const sums = new Map<string, Float64Array>();
  let elements = 0;
  try {
    await forEachProbeChunk(spec, params, probe, async (features, size) => {
      await addChannelActivity(spec, features, sums);
      elements += size;
    });
  } finally {
    disposeParams(params);
  }
  // Divide by images only: spatial size is the same for all channels of a layer.
  for (const acc of sums.values()) for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! / Math.max(1, elements);
  return sums;
}

export async function channelImportance(
  spec: ModelSpec,
  weights: NamedValues,
  criterion: PruneCriterion,
  probe?: ProbeBatch,
): Promise<LayerScores> {
  if (criterion === 'activity') {
    if (!probe) throw new Error('Activity importance needs a probe batch.');
    return activityScores(spec, weights, probe);
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
