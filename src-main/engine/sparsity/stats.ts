/** Summary statistics of per-channel measures, as stored in layer snapshots. */
import type { MeasureStats } from '../../shared/metrics';

const BINS = 20;

export function measureStats(values: ArrayLike<number>, range?: [number, number]): MeasureStats {
  const list = Array.from(values, (v) => (Number.isFinite(v) ? v : 0));
  const sorted = [...list].sort((a, b) => a - b);
  const min = sorted[0] ?? 0;
  const max = sorted[sorted.length - 1] ?? 0;
  const mid = sorted.length / 2;
  const median =
    sorted.length === 0
      ? 0
      : sorted.length % 2 === 1
        ? sorted[Math.floor(mid)]!
        : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const [lo, hi] = range ?? [0, max > 0 ? max : 1];
  const edges = Array.from({ length: BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / BINS);
  const counts = new Array<number>(BINS).fill(0);
  for (const v of list) {
    const bin = hi > lo ? Math.floor(((v - lo) / (hi - lo)) * BINS) : 0;
    counts[Math.min(BINS - 1, Math.max(0, bin))]! += 1;
  }
  return { min, median, max, histogram: { edges, counts }, values: list.map((v) => Math.fround(v)) };
}

/** Share of values at or below `threshold` times the largest absolute value. */
export function shareBelow(values: ArrayLike<number>, threshold: number): number {
  const n = values.length;
  if (n === 0) return 0;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(values[i]!));
  if (max === 0) return 1;
  let below = 0;
  for (let i = 0; i < n; i++) if (Math.abs(values[i]!) <= threshold * max) below += 1;
  return below / n;
}
