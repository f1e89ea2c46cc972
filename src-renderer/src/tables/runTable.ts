/**
 * The runs table's rows as pure functions of the runs and their summaries: search, filters,
 * sorting, hyperparameter columns and seed groups (runs whose configs differ only in the seed,
 * shown as mean ± std). Kept out of the view so every rule is unit-tested.
 */
import type { RunSummary } from '../../../src-main/shared/contract';
import { flattenConfig } from '../../../src-main/shared/run-config';
import type { Run } from '../../../src-main/shared/store-types';

/** The regularizer's weight as one number: λ_len for FFR, λ for a baseline, 0 for none. */
export function lambdaOf(r: Run): number {
  const c = r.config;
  if (c.regularizer === 'ffr') return c.ffr.lambdaLength;
  if (c.regularizer === 'none') return 0;
  return c.lambda;
}

/** Hyperparameter columns a user can show; each reads the run's config. */
export const HYPER_COLUMNS = {
  lambda: { label: 'λ', title: 'λ_len for FFR, λ for a baseline', value: lambdaOf },
  lambdaCurvature: { label: 'λ_curv', title: 'FFR curvature weight', value: (r: Run) => (r.config.regularizer === 'ffr' ? r.config.ffr.lambdaCurvature : null) },
  lr: { label: 'lr', title: 'learning rate', value: (r: Run) => r.config.lr },
  epochs: { label: 'epochs', title: 'planned epochs', value: (r: Run) => r.config.epochs },
  batchSize: { label: 'batch', title: 'batch size', value: (r: Run) => r.config.batchSize },
  seed: { label: 'seed', title: 'random seed', value: (r: Run) => r.config.seed },
  weightDecay: { label: 'wd', title: 'weight decay', value: (r: Run) => r.config.weightDecay },
  width: { label: 'width', title: 'width multiplier', value: (r: Run) => r.config.width },
  optimizer: { label: 'opt', title: 'optimizer', value: (r: Run) => r.config.optimizer },
  backend: { label: 'backend', title: 'compute backend used', value: (r: Run) => r.backend ?? r.config.backend },
} as const satisfies Record<string, { label: string; title: string; value: (r: Run) => number | string | null }>;
export type HyperColumn = keyof typeof HYPER_COLUMNS;
export const DEFAULT_HYPER_COLUMNS: HyperColumn[] = ['seed'];

export type SortKey =
  | 'name' | 'status' | 'created' | 'model' | 'regularizer'
  | 'valAcc' | 'finalAcc' | 'bestAcc' | 'sparsity' | 'params' | 'macs'
  | HyperColumn;
export interface Sort { key: SortKey; dir: 'asc' | 'desc' }

export interface Filters {
  /** Matches the name, id, model, dataset, regularizer or a tag (case-insensitive). */
  search: string;
  status: 'all' | 'active' | Run['status'];
  regularizer: 'all' | Run['config']['regularizer'];
  /** Only runs carrying this tag. */
  tag: string | null;
}
export const NO_FILTERS: Filters = { search: '', status: 'all', regularizer: 'all', tag: null };

export function matches(r: Run, f: Filters): boolean {
  if (f.status === 'active' ? !(r.status === 'queued' || r.status === 'running') : f.status !== 'all' && r.status !== f.status) return false;
  if (f.regularizer !== 'all' && r.config.regularizer !== f.regularizer) return false;
  if (f.tag !== null && !r.tags.includes(f.tag)) return false;
  const q = f.search.trim().toLowerCase();
  if (q === '') return true;
  const hay = [r.name, r.id, r.config.model, r.config.dataset.name, r.config.regularizer, ...r.tags].join('\n').toLowerCase();
  return q.split(/\s+/).every((word) => hay.includes(word));
}

/** The value a column sorts by (null sorts last whatever the direction). */
export function sortValue(r: Run, s: RunSummary | undefined, key: SortKey): number | string | null {
  switch (key) {
    case 'name': return r.name.toLowerCase();
    case 'status': return r.status;
    case 'created': return r.createdAt;
    case 'model': return `${r.config.model} ${r.config.dataset.name}`;
    case 'regularizer': return `${r.config.regularizer} ${String(lambdaOf(r)).padStart(12, '0')}`;
    case 'valAcc': return s?.final?.valAccuracy ?? null;
    case 'finalAcc': return s?.final?.testAccuracy ?? null;
    case 'bestAcc': return s?.best?.testAccuracy ?? null;
    case 'sparsity': return s?.sparsity?.structured ?? null;
    case 'params': return r.modelInfo?.params ?? null;
    case 'macs': return r.modelInfo?.macs ?? null;
    default: return HYPER_COLUMNS[key].value(r);
  }
}

function compare(a: number | string | null, b: number | string | null, dir: 'asc' | 'desc'): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return dir === 'asc' ? c : -c;
}

export function sortRuns(runs: Run[], summaries: Record<string, RunSummary>, sort: Sort): Run[] {
  // Stable: equal keys keep the host's order (newest first).
  return runs
    .map((r, i) => ({ r, i }))
    .sort((x, y) => compare(sortValue(x.r, summaries[x.r.id], sort.key), sortValue(y.r, summaries[y.r.id], sort.key), sort.dir) || x.i - y.i)
    .map((x) => x.r);
}

/** Mean and sample standard deviation (n − 1; 0 for one value) of the finite values, or null. */
export interface Stat { mean: number; std: number; n: number }
export function meanStd(values: Array<number | null | undefined>): Stat | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, std, n: v.length };
}

/** What identifies a configuration apart from its seed. */
export function configKeyWithoutSeed(r: Run): string {
  const flat = flattenConfig({ ...r.config, seed: undefined, kind: r.kind, parentRunId: r.parentRunId });
  return JSON.stringify(Object.keys(flat).sort().map((k) => [k, flat[k]]));
}

export interface SeedGroup {
  key: string;
  runs: Run[];
  seeds: number[];
  /** Final validation accuracy (runs recorded before the validation split have none). */
  valAcc: Stat | null;
  finalAcc: Stat | null;
  bestAcc: Stat | null;
  sparsity: Stat | null;
}

/**
 * Groups runs of one config that differ only in their seed, in the order of their first run.
 * Statistics use finished runs only (a run still training has no final number yet).
 */
export function seedGroups(runs: Run[], summaries: Record<string, RunSummary>): SeedGroup[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const k = configKeyWithoutSeed(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.entries()].map(([key, members]) => {
    const sums = members.map((r) => summaries[r.id]).filter((s) => s !== undefined);
    return {
      key,
      runs: members,
      seeds: [...new Set(members.map((r) => r.config.seed))].sort((a, b) => a - b),
      valAcc: meanStd(sums.map((s) => s.final?.valAccuracy)),
      finalAcc: meanStd(sums.map((s) => s.final?.testAccuracy)),
      bestAcc: meanStd(sums.map((s) => s.best?.testAccuracy)),
      sparsity: meanStd(sums.map((s) => s.sparsity?.structured)),
    };
  });
}

/** "94.1±0.4%" (percent of a share; tables are narrow), or the mean alone for one run. */
export function formatPctStat(s: Stat | null, digits = 1): string {
  if (!s) return '—';
  const m = (s.mean * 100).toFixed(digits);
  return s.n < 2 ? `${m}%` : `${m}±${(s.std * 100).toFixed(digits)}%`;
}

/** The same in full, for a tooltip: "94.10 % ± 0.35 (sample std over 3 seeds)". */
export function describePctStat(s: Stat | null): string {
  if (!s) return '';
  return s.n < 2 ? `${(s.mean * 100).toFixed(2)} % (one finished run)` : `${(s.mean * 100).toFixed(2)} % ± ${(s.std * 100).toFixed(2)} (mean ± sample std over ${s.n} finished runs)`;
}

/** A hyperparameter as a table shows it: 0.05, 2, 1e-4 (short: tables are narrow). */
export function shortNumber(v: number): string {
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential().replace(/\.?0+e/, 'e').replace('e-', 'e−');
  return String(Number(v.toPrecision(3)));
}

/** A seed group's label: what its runs' names share ("ffr s1", "ffr s2" → "ffr"), else the first name. */
export function groupName(names: readonly string[]): string {
  if (names.length === 0) return '';
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  // Only whole words: cut a word the names continue differently.
  if (!names.every((n) => n.length === p.length || /\s/.test(n[p.length]!))) p = p.replace(/\s*\S*$/, '');
  p = p.replace(/[\s·:_-]+$/, '');
  return p || names[0]!;
}
