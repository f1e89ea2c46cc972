/**
 * One pruning pass, engine side: groups → selection → constants (fold or keep) → shrunk model.
 * Pure JavaScript over weight arrays apart from the activity importance (computed by the caller).
 */
import type { SelectionOptions } from '../../shared/prune-types';
import type { ModelSpec } from '../../catalog/models/spec';
import type { NamedValues } from '../train/checkpoint';
import { CONSTANT_TOLERANCE, channelConstants, foldTargets } from './fold';
import { buildGroups, type GroupGraph } from './groups';
import type { LayerScores } from './importance';
import { selectGroups, type Selection } from './select';
import { shrinkModel, type RemovedConstants, type ShrinkResult } from './shrink';

export interface PrunePlan {
  graph: GroupGraph;
  selection: Selection;
  constants: RemovedConstants;
  result: ShrinkResult;
}

/**
 * Per prunable layer, the mean output of each channel on the probe batch. Given with the `spread`
 * importance: a removed channel of low spread is replaced by its mean (folded like a constant)
 * rather than by zero.
 */
export type MeasuredMeans = Map<string, Float64Array>;

export function planPrune(spec: ModelSpec, weights: NamedValues, scores: LayerScores, opts: SelectionOptions, measured?: MeasuredMeans): PrunePlan {
  const graph = buildGroups(spec);
  const selection = selectGroups(graph, scores, opts, spec.prunable.map((p) => p.layer));
  const constants = resolveConstants(spec, weights, graph, selection, measured);
  const result = shrinkModel(spec, weights, graph, selection.removed, constants);
  return { graph, selection, constants, result };
}

/**
 * Constants of the removed channels: by the weights (fold.ts: γ≈0 or a zero filter), else, when
 * measured means are given, the channel's mean output on the probe batch where it is not negligible
 * (> CONSTANT_TOLERANCE of the layer's largest |mean|; below that it is taken as 0, as a removed
 * channel always was). A group holding a nonzero constant that cannot be folded exactly is kept
 * (restored), with the reason; restoring only adds channels, so the minimum per layer still holds.
 */
function resolveConstants(spec: ModelSpec, weights: NamedValues, graph: GroupGraph, selection: Selection, measured?: MeasuredMeans): RemovedConstants {
  const removedByLayer = new Map<string, number[]>();
  for (const g of selection.removed) {
    for (const m of graph.groups[g]!.members) removedByLayer.set(m.layer, [...(removedByLayer.get(m.layer) ?? []), m.channel]);
  }
  const constants: RemovedConstants = new Map();
  for (const [layerName, channels] of removedByLayer) {
    const layer = spec.prunable.find((p) => p.layer === layerName)!;
    const found = channelConstants(spec, weights, layer, channels);
    const means = measured?.get(layerName);
    if (means) {
      const largest = Math.max(0, ...Array.from(means, Math.abs));
      for (const c of channels) {
        if (!found.has(c) && Math.abs(means[c]!) > CONSTANT_TOLERANCE * largest) found.set(c, means[c]!);
      }
    }
    if (found.size === 0) continue;
    const targets = foldTargets(spec, layer);
    const ids = graph.spaceGroups.get(layerName)!;
    const foldable = new Map<number, number>();
    for (const [c, k] of found) {
      const g = ids[c]!;
      if (typeof targets === 'string' || graph.groups[g]!.members.length > 1) {
        selection.removed.delete(g);
        const why = typeof targets === 'string' ? targets : 'it is tied to other channels';
        selection.keptBecause.set(g, `its output is the constant ${k.toPrecision(3)}, which cannot be folded exactly (${why})`);
      } else foldable.set(c, k);
    }
    if (foldable.size > 0) constants.set(layerName, foldable);
  }
  // A restored group may have members whose constants were accepted above: drop those.
  for (const [layerName, channels] of constants) {
    const ids = graph.spaceGroups.get(layerName)!;
    for (const c of [...channels.keys()]) if (!selection.removed.has(ids[c]!)) channels.delete(c);
  }
  return constants;
}
