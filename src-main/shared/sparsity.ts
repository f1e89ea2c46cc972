/**
 * Whole-model sparsity from per-layer snapshots, as every view reports it: structured sparsity
 * weighted by channels (the share of all channels that are prunable by the snapshots' headline
 * measure), unstructured sparsity averaged over layers. Runtime-free: the host's summaries and the
 * renderer's charts use the same numbers.
 */

/** What a snapshot's structured sparsity was measured by: output spread, or activity before spread existed. */
export type StructuredMeasure = 'spread' | 'activity';

export interface LayerSparsity {
  channels: number;
  structuredSparsity: number;
  unstructuredSparsity: number;
  structuredMeasure: StructuredMeasure;
}

export interface ModelSparsity {
  /** Share of all prunable channels counted as prunable by `measure`. */
  structured: number;
  /** Unstructured sparsity averaged over layers. */
  unstructured: number;
  /** The measure behind `structured`: spread, unless any layer's snapshot was recorded by activity. */
  measure: StructuredMeasure;
}

/** null for no layers (a run with no recorded epoch yet). */
export function summarizeSparsity(layers: readonly LayerSparsity[]): ModelSparsity | null {
  if (layers.length === 0) return null;
  const channels = layers.reduce((s, l) => s + l.channels, 0);
  const structured = layers.reduce((s, l) => s + l.structuredSparsity * l.channels, 0) / Math.max(1, channels);
  const unstructured = layers.reduce((s, l) => s + l.unstructuredSparsity, 0) / layers.length;
  const measure = layers.every((l) => l.structuredMeasure === 'spread') ? 'spread' : 'activity';
  return { structured, unstructured, measure };
}

/**
 * The per-channel measure the headline structured sparsity counts by (docs/pruning.md, docs/ffr.md).
 * Snapshots name their measure (`structuredMeasure`: spread, or activity for runs recorded before
 * spread existed); with no snapshot at hand it is spread.
 * Every figure that shows the headline number, or a distribution meant to explain it, uses this.
 */
export const HEADLINE_MEASURE = 'spread';

export function headlineMeasure(rows: readonly object[]): string {
  const named = (rows[0] as { structuredMeasure?: unknown } | undefined)?.structuredMeasure;
  return typeof named === 'string' ? named : HEADLINE_MEASURE;
}
