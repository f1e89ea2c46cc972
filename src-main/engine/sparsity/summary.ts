/**
 * Whole-model sparsity from per-layer snapshots. Free of tfjs: the host computes run summaries
 * with it.
 */
import type { LayerSnapshot } from '../../shared/metrics';

export interface SparsitySummary {
  /** Share of all prunable channels counted as prunable by the snapshots' headline measure. */
  structured: number;
  /** Unstructured sparsity averaged over layers. */
  unstructured: number;
  /** The measure behind `structured`: spread, or activity for snapshots recorded before spread existed. */
  measure: LayerSnapshot['structuredMeasure'];
}

/** Structured sparsity weighted by channels, unstructured averaged over layers. */
export function summarizeSparsity(snapshots: Array<Pick<LayerSnapshot, 'channels' | 'structuredSparsity' | 'unstructuredSparsity' | 'structuredMeasure'>>): SparsitySummary {
  const channels = snapshots.reduce((s, l) => s + l.channels, 0);
  const structured = snapshots.reduce((s, l) => s + l.structuredSparsity * l.channels, 0) / Math.max(1, channels);
  const unstructured = snapshots.reduce((s, l) => s + l.unstructuredSparsity, 0) / Math.max(1, snapshots.length);
  const measure = snapshots.every((s) => s.structuredMeasure === 'spread') ? 'spread' : 'activity';
  return { structured, unstructured, measure };
}
