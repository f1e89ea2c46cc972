/**
 * Bounded views of a run (issue: runs.get grew ~128 KB per epoch for ResNet-20): the sparsity grid
 * with at most MAX_GRID_EPOCHS columns, snapshot requests refused past MAX_SNAPSHOT_ROWS, and step
 * pages that merge the stored rows with those of the epoch in progress.
 */
import { MAX_SNAPSHOT_ROWS, type SparsityGrid, type StepsPage } from '../shared/contract';
import type { StepScalars } from '../shared/metrics';
import type { SparsityCell } from '../store/repositories/snapshots';
import { UserInputError } from './errors';

/** At most `max` of the epochs, evenly spaced, the first and the last always among them. */
export function thinEpochs(epochs: readonly number[], max: number): number[] {
  if (epochs.length <= max) return [...epochs];
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(epochs[Math.round((i * (epochs.length - 1)) / (max - 1))]!);
  return [...picked].sort((a, b) => a - b);
}

export function sparsityGrid(cells: readonly SparsityCell[], allEpochs: readonly number[], maxEpochs: number): SparsityGrid {
  const epochs = thinEpochs(allEpochs, maxEpochs);
  const column = new Map(epochs.map((e, i) => [e, i]));
  // Network order: by position in the latest epoch that has the layer, then first appearance.
  const layers = new Map<string, { name: string; channels: number; position: number; epoch: number }>();
  for (const c of cells) {
    const seen = layers.get(c.layer);
    if (!seen || c.epoch >= seen.epoch) layers.set(c.layer, { name: c.layer, channels: c.channels, position: c.position, epoch: c.epoch });
  }
  const ordered = [...layers.values()].sort((a, b) => a.position - b.position);
  const row = new Map(ordered.map((l, i) => [l.name, i]));
  const structured = ordered.map(() => epochs.map((): number | null => null));
  for (const c of cells) {
    const x = column.get(c.epoch);
    const y = row.get(c.layer);
    if (x !== undefined && y !== undefined) structured[y]![x] = c.structured;
  }
  return { layers: ordered.map((l) => ({ name: l.name, channels: l.channels })), epochs, structured, epochCount: allEpochs.length };
}

/** Refuses a snapshot request that would return more than MAX_SNAPSHOT_ROWS rows, naming the size. */
export function checkSnapshotRequest(layers: number, epochs: number): void {
  const rows = layers * epochs;
  if (rows > MAX_SNAPSHOT_ROWS) {
    throw new UserInputError(
      `That asks for ${rows} layer snapshots (${layers} layers × ${epochs} epochs); ask for at most ${MAX_SNAPSHOT_ROWS} at once (fewer layers or a shorter epoch range).`,
    );
  }
}

export interface StepsQuery {
  fromStep?: number;
  toStep?: number;
  afterStep?: number;
  limit: number;
  maxPoints?: number;
}

/**
 * One page (or overview) of steps: stored rows from the store, then the unsaved rows of the epoch in
 * progress (always after them), within the range.
 */
export function stepsPage(
  store: {
    page(o: { fromStep?: number; toStep?: number; afterStep?: number; limit: number }): StepScalars[];
    overview(o: { fromStep?: number; toStep?: number; points: number }): StepScalars[];
    extent(o: { fromStep?: number; toStep?: number }): { count: number; last: number | null };
  },
  unsaved: readonly StepScalars[],
  q: StepsQuery,
): StepsPage {
  const range = { ...(q.fromStep !== undefined ? { fromStep: q.fromStep } : {}), ...(q.toStep !== undefined ? { toStep: q.toStep } : {}) };
  const { count, last } = store.extent(range);
  const live = unsaved.filter((r) => r.step > (last ?? 0) && (q.fromStep === undefined || r.step >= q.fromStep) && (q.toStep === undefined || r.step <= q.toStep));
  const total = count + live.length;
  if (q.maxPoints !== undefined) {
    const storedPoints = Math.max(1, q.maxPoints - live.length);
    const rows = [...store.overview({ ...range, points: storedPoints }), ...live].slice(-q.maxPoints);
    return { rows, total, next: null, downsampled: total > q.maxPoints };
  }
  const stored = store.page({ ...range, ...(q.afterStep !== undefined ? { afterStep: q.afterStep } : {}), limit: q.limit + 1 });
  const after = q.afterStep ?? 0;
  const merged = [...stored, ...live.filter((r) => r.step > after)];
  const rows = merged.slice(0, q.limit);
  return { rows, total, next: merged.length > q.limit ? rows.at(-1)!.step : null, downsampled: false };
}
