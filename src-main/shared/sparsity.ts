/**
 * Whole-model sparsity from per-layer snapshots, as every view reports it: structured sparsity
 * weighted by channels (the share of all channels that are dead), unstructured sparsity averaged
 * over layers. Runtime-free: the host's summaries and the renderer's charts use the same numbers.
 */
export interface LayerSparsity {
  channels: number;
  structuredSparsity: number;
  unstructuredSparsity: number;
}

export interface ModelSparsity {
  structured: number;
  unstructured: number;
}

/** null for no layers (a run with no recorded epoch yet). */
export function summarizeSparsity(layers: readonly LayerSparsity[]): ModelSparsity | null {
  if (layers.length === 0) return null;
  const channels = layers.reduce((s, l) => s + l.channels, 0);
  const structured = layers.reduce((s, l) => s + l.structuredSparsity * l.channels, 0) / Math.max(1, channels);
  const unstructured = layers.reduce((s, l) => s + l.unstructuredSparsity, 0) / layers.length;
  return { structured, unstructured };
}

/**
 * The per-channel measure the headline structured sparsity counts by (docs/pruning.md, docs/ffr.md).
 * Snapshots that name their measure (`structuredMeasure`) say it themselves; older ones used activity.
 * Every figure that shows the headline number, or a distribution meant to explain it, uses this.
 */
export const HEADLINE_MEASURE = 'activity';

export function headlineMeasure(rows: readonly object[]): string {
  const named = (rows[0] as { structuredMeasure?: unknown } | undefined)?.structuredMeasure;
  return typeof named === 'string' ? named : HEADLINE_MEASURE;
}
