/**
 * One pruning pass, engine side: groups → selection → constants (fold or keep) → shrunk model.
 * Pure JavaScript over weight arrays apart from the activity importance (computed by the caller).
 */
import type { SelectionOptions } from '../../shared/prune-types';
import type { ModelSpec } from '../../catalog/models/spec';
import type { NamedValues } from '../train/checkpoint';
import { channelConstants, foldTargets } from './fold';
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

export function planPrune(spec: ModelSpec, weights: NamedValues, scores: LayerScores, opts: SelectionOptions): PrunePlan {
  const graph = buildGroups(spec);
  const selection = selectGroups(graph, scores, opts, spec.prunable.map((p) => p.layer));
  const constants = resolveConstants(spec, weights, graph, selection);
  const result = shrinkModel(spec, weights, graph, selection.removed, constants);
  return { graph, selection, constants, result };
}

/**
 * Constants of the removed channels. A group holding a nonzero constant that cannot be folded
 * exactly is kept (restored), with the reason; restoring only adds channels, so the minimum per
 * layer still holds.
 */
function resolveConstants(spec: ModelSpec, weights: NamedValues, graph: GroupGraph, selection: Selection): RemovedConstants {
  const removedByLayer = new Map<string, number[]>();
  for (const g of selection.removed) {
    for (const m of graph.groups[g]!.members) removedByLayer.set(m.layer, [...(removedByLayer.get(m.layer) ?? []), m.channel]);
  }
  const constants: RemovedConstants = new Map();
  for (const [layerName, channels] of removedByLayer) {
    const layer = spec.prunable.find((p) => p.layer === layerName)!;
    const found = channelConstants(spec, weights, layer, channels);
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
