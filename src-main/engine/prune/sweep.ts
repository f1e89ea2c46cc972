/**
 * Sensitivity sweep (what-if): prune at each of several thresholds or ratios, measure the result,
 * keep nothing. Points come back sorted by the swept value, so params and MACs fall as it grows.
 */
import type { SelectionOptions, SweepOptions, SweepPoint } from '../../shared/prune-types';
import type { ModelSpec } from '../../catalog/models/spec';
import type { NamedValues } from '../train/checkpoint';
import type { LayerScores } from './importance';
import { planPrune, type MeasuredMeans } from './plan';
import { layerWidths } from './report';
import { totalCost } from '../../catalog/models/spec';

export async function sweepPoints(
  spec: ModelSpec,
  weights: NamedValues,
  scores: LayerScores,
  options: SweepOptions,
  accuracyOf: (spec: ModelSpec, weights: NamedValues) => Promise<number>,
  onPoint?: (done: number, total: number) => void,
  measured?: MeasuredMeans,
): Promise<SweepPoint[]> {
  const byThreshold = options.thresholds !== undefined;
  const values = [...new Set(options.thresholds ?? options.ratios ?? [])].sort((a, b) => a - b);
  const points: SweepPoint[] = [];
  for (const [i, value] of values.entries()) {
    const selection: SelectionOptions = {
      criterion: options.criterion,
      scope: options.scope,
      aggregate: options.aggregate,
      minChannels: options.minChannels,
      ...(byThreshold ? { threshold: value } : { ratio: value }),
    };
    const { result } = planPrune(spec, weights, scores, selection, measured);
    const cost = totalCost(result.spec);
    const point: SweepPoint = {
      ...(byThreshold ? { threshold: value } : { ratio: value }),
      params: cost.params,
      macs: cost.macs,
      accuracy: await accuracyOf(result.spec, result.weights),
      widths: layerWidths(result.spec),
    };
    onPoint?.(i + 1, values.length);
    points.push(point);
  }
  return points;
}
