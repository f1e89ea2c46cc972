/**
 * Selection: which dependency groups to remove, from per-layer channel scores.
 *
 * Scores are normalized first: scope `layer` divides each layer's scores by the layer's largest
 * (so a threshold reads like the snapshots' "relative activity ≤ 1e-2"), scope `global` by the
 * largest score of the whole model (raw scales differ between layers, so global thresholds suit
 * filter norms and γ of similarly scaled layers best). A group's importance aggregates its members'
 * normalized scores (`max` by default: a group survives if any member matters; or `mean`).
 *
 * - threshold T: remove every removable group with importance ≤ T.
 * - ratio R, scope layer: in each layer, the ⌊R·n⌋ channels of lowest group importance are
 *   candidates; a group goes when all its members are candidates in their layers.
 * - ratio R, scope global: remove the least important groups while the removed channels stay within
 *   ⌊R · all prunable channels⌋.
 * Then every layer keeps at least `minChannels` channels (its most important groups are restored);
 * without minChannels a selection that empties a layer is refused.
 */
import type { SelectionOptions } from '../../shared/prune-types';
import { layerWidth, type GroupGraph } from './groups';
import type { LayerScores } from './importance';

/** Input the user can fix (a threshold that empties a layer, a ratio out of range…). */
export class PruneInputError extends Error {
  override readonly name = 'PruneInputError';
}

export interface Selection {
  removed: Set<number>;
  /** Normalized importance of each group (NaN for groups without prunable members). */
  importance: Float64Array;
  /** Groups that met the criterion but were kept, and why. */
  keptBecause: Map<number, string>;
}

export function normalizeScores(scores: LayerScores, scope: SelectionOptions['scope']): LayerScores {
  const out: LayerScores = new Map();
  const globalMax = Math.max(0, ...[...scores.values()].map((s) => Math.max(0, ...s)));
  for (const [layer, s] of scores) {
    const max = scope === 'layer' ? Math.max(0, ...s) : globalMax;
    out.set(layer, Float64Array.from(s, (v) => (max > 0 ? v / max : 0)));
  }
  return out;
}

export function groupImportance(graph: GroupGraph, normalized: LayerScores, aggregate: SelectionOptions['aggregate']): Float64Array {
  return Float64Array.from(graph.groups, (g) => {
    if (g.members.length === 0) return Number.NaN;
    const values = g.members.map((m) => {
      const s = normalized.get(m.layer);
      if (!s) throw new Error(`No importance scores for layer "${m.layer}".`);
      return s[m.channel]!;
    });
    return aggregate === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
  });
}

export function selectGroups(graph: GroupGraph, scores: LayerScores, opts: SelectionOptions, layers: string[]): Selection {
  if (opts.ratio !== undefined && !(opts.ratio >= 0 && opts.ratio <= 1)) {
    throw new PruneInputError(`The prune ratio must be between 0 and 1, got ${opts.ratio}.`);
  }
  if (opts.threshold !== undefined && !(opts.threshold >= 0)) {
    throw new PruneInputError(`The prune threshold must be 0 or more, got ${opts.threshold}.`);
  }
  const importance = groupImportance(graph, normalizeScores(scores, opts.scope), opts.aggregate);
  const removed = new Set<number>();
  const keptBecause = new Map<number, string>();
  const groupsOfLayer = (layer: string): Int32Array => graph.spaceGroups.get(layer)!;

  if (opts.threshold !== undefined) {
    for (const g of graph.groups) {
      if (g.members.length === 0 || importance[g.id]! > opts.threshold) continue;
      if (g.removable) removed.add(g.id);
      else keptBecause.set(g.id, 'it is tied to a channel that cannot be removed');
    }
  } else if (opts.scope === 'layer') {
    const candidate = new Set<string>();
    for (const layer of layers) {
      const ids = groupsOfLayer(layer);
      const order = Array.from(ids.keys()).sort((a, b) => importance[ids[a]!]! - importance[ids[b]!]! || a - b);
      order.slice(0, Math.floor(opts.ratio! * ids.length)).forEach((c) => candidate.add(`${layer}:${c}`));
    }
    for (const g of graph.groups) {
      if (g.members.length > 0 && g.members.every((m) => candidate.has(`${m.layer}:${m.channel}`))) {
        if (g.removable) removed.add(g.id);
        else keptBecause.set(g.id, 'it is tied to a channel that cannot be removed');
      }
    }
  } else {
    const total = layers.reduce((s, l) => s + layerWidth(graph, l), 0);
    const budget = Math.floor(opts.ratio! * total);
    const order = graph.groups.filter((g) => g.removable).sort((a, b) => importance[a.id]! - importance[b.id]! || a.id - b.id);
    let used = 0;
    for (const g of order) {
      if (used + g.members.length > budget) continue;
      removed.add(g.id);
      used += g.members.length;
    }
  }

  enforceMinChannels(graph, removed, importance, keptBecause, opts, layers);
  return { removed, importance, keptBecause };
}

/** Restores each layer's most important groups until it has minChannels; refuses an empty layer without it. */
function enforceMinChannels(
  graph: GroupGraph,
  removed: Set<number>,
  importance: Float64Array,
  keptBecause: Map<number, string>,
  opts: SelectionOptions,
  layers: string[],
): void {
  for (const layer of layers) {
    const ids = graph.spaceGroups.get(layer)!;
    const remaining = (): number => ids.reduce((n, g) => n + (removed.has(g) ? 0 : 1), 0);
    if (remaining() === 0 && opts.minChannels === undefined) {
      const what = opts.threshold !== undefined ? `Threshold ${opts.threshold}` : `Ratio ${opts.ratio}`;
      throw new PruneInputError(
        `${what} would remove every channel of layer ${layer}; lower it or set a minimum number of channels per layer.`,
      );
    }
    const want = Math.min(opts.minChannels ?? 1, ids.length);
    if (remaining() >= want) continue;
    const order = Array.from(ids.keys()).sort((a, b) => importance[ids[b]!]! - importance[ids[a]!]! || a - b);
    for (const c of order) {
      if (remaining() >= want) break;
      const g = ids[c]!;
      if (removed.delete(g)) keptBecause.set(g, `layer ${layer} keeps at least ${want} channel${want === 1 ? '' : 's'}`);
    }
  }
}
