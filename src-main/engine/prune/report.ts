/** The prune report's size figures: params and MACs before/after per layer and in total, widths, groups. */
import type { GroupRow, LayerCostRow, LayerWidthRow } from '../../shared/prune-types';
import { findNode, layerCosts, totalCost, type ModelSpec } from '../../catalog/models/spec';
import type { PrunePlan } from './plan';

export function layerWidths(spec: ModelSpec): Record<string, number> {
  return Object.fromEntries(
    spec.prunable.map((p) => {
      const n = findNode(spec, p.layer);
      return [p.layer, n.op === 'conv2d' ? n.filters : n.op === 'dense' ? n.units : 0];
    }),
  );
}

export interface SizeReport {
  params: { before: number; after: number };
  macs: { before: number; after: number };
  widths: LayerWidthRow[];
  layerCosts: LayerCostRow[];
  groups: GroupRow[];
  groupCount: number;
  /** Per prunable layer, the output channels (filter indices of the original) that were removed, ascending. */
  removedChannels: Record<string, number[]>;
}

/** Sizes are recomputed from the two specs (never estimated from the removed counts). */
export function sizeReport(before: ModelSpec, plan: PrunePlan): SizeReport {
  const after = plan.result.spec;
  const tb = totalCost(before);
  const ta = totalCost(after);
  const wb = layerWidths(before);
  const wa = layerWidths(after);
  const ca = new Map(layerCosts(after).map((c) => [c.name, c]));
  const { graph, selection } = plan;
  const removedChannels: Record<string, number[]> = Object.fromEntries(Object.keys(wb).map((name) => [name, [] as number[]]));
  for (const g of selection.removed) for (const m of graph.groups[g]!.members) removedChannels[m.layer]?.push(m.channel);
  for (const list of Object.values(removedChannels)) list.sort((a, b) => a - b);
  return {
    params: { before: tb.params, after: ta.params },
    macs: { before: tb.macs, after: ta.macs },
    widths: Object.keys(wb).map((name) => ({ name, before: wb[name]!, after: wa[name] ?? 0 })),
    layerCosts: layerCosts(before)
      .filter((c) => c.params > 0 || c.macs > 0)
      .map((c) => ({
        name: c.name,
        op: c.op,
        params: { before: c.params, after: ca.get(c.name)?.params ?? 0 },
        macs: { before: c.macs, after: ca.get(c.name)?.macs ?? 0 },
      })),
    // Singletons are summarized by the widths; groups that tie channels, or were kept for a reason, are listed.
    groups: graph.groups
      .filter((g) => g.members.length > 1 || selection.keptBecause.has(g.id))
      .map((g) => ({
        id: g.id,
        members: g.members.map((m) => `${m.layer}:${m.channel}`),
        importance: Number.isFinite(selection.importance[g.id]!) ? selection.importance[g.id]! : 0,
        removed: selection.removed.has(g.id),
        keptBecause: selection.keptBecause.get(g.id) ?? null,
      })),
    groupCount: graph.groups.filter((g) => g.members.length > 0).length,
    removedChannels,
  };
}
