/**
 * `npx tsx bench/ffr-study-tables.ts [--in bench/results/ffr-study.jsonl] [--model lenet5]`
 *
 * Prints the markdown tables of docs/ffr.md from the JSON lines bench/ffr-study.ts wrote: one row per
 * configuration (mean over the seeds present, with the seeds listed), the headline structured
 * sparsity by spread and by activity, dead channels per layer, and the prune chosen on the selection
 * set (largest threshold within 1 point of the unpruned selection accuracy) by the regularizer's
 * default importance.
 */
import fs from 'node:fs';
import path from 'node:path';

import { parseArgs } from './lib/args';

interface Prune {
  threshold: number;
  selection: number;
  test: number;
  params: number;
  macs: number;
}
interface Row {
  run: string;
  model: string;
  width: number;
  trainLimit: number;
  seed: number;
  accuracy: { test: number; selection: number };
  structured: { spread: number; activity: number };
  unstructured?: number;
  layers: Array<{ layer: string; channels: number; dead: number[] }>;
  macs: number;
  criterion: string;
  chosen: Prune | null;
  byCriterion?: Record<string, { chosen: Prune | null }>;
}

const args = parseArgs(process.argv.slice(2));
const input = args.get('in') ?? path.join('bench', 'results', 'ffr-study.jsonl');
const model = args.get('model') ?? 'lenet5';
// A configuration measured twice with one seed (runs are deterministic) counts once: the later line.
const rows = [
  ...new Map(
    fs
      .readFileSync(input, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row)
      .filter((r) => r.model === model)
      .map((r) => [`${r.run}|${r.seed}`, r] as const),
  ).values(),
];

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const k = (n: number) => `${(n / 1000).toFixed(0)}K`;

// Rows grouped by configuration, in a stable order: regularizer, then the options as written.
const byRun = new Map<string, Row[]>();
/** "ffr align=rank-pad lambdaLength=0.4" ordered token by token, `key=number` by the number. */
function compareRuns(a: string, b: string): number {
  const ta = a.split(/\s+/);
  const tb = b.split(/\s+/);
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const [ka, va] = ta[i]!.split('=');
    const [kb, vb] = tb[i]!.split('=');
    if (ka !== kb || va === undefined || vb === undefined || Number.isNaN(Number(va)) || Number.isNaN(Number(vb))) {
      const c = ta[i]!.localeCompare(tb[i]!);
      if (c !== 0) return c;
    } else if (Number(va) !== Number(vb)) return Number(va) - Number(vb);
  }
  return ta.length - tb.length;
}
for (const r of [...rows].sort((a, b) => compareRuns(a.run, b.run) || a.seed - b.seed)) {
  byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
}

console.log(`${model}: ${rows[0]?.trainLimit ?? '?'} training digits; test = the run's 1,000 test digits; selection = 1,000 held-out training digits\n`);
console.log('| run | seeds | test acc. | selection acc. | structured sparsity: spread | activity | unstructured | dead channels (spread ≤ 0.01) | pruned by | threshold (chosen on selection) | MACs | test acc. after prune |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [run, rs] of byRun) {
  const seeds = rs.map((r) => r.seed).join(',');
  const avgDead = (layer: string) => mean(rs.map((r) => r.layers.find((x) => x.layer === layer)!.dead.length));
  const layers = rs[0]!.layers;
  const digits = rs.length > 1 ? 1 : 0;
  // Per layer for small models; in total for deep ones (a ResNet has 19 prunable layers).
  const dead =
    layers.length <= 6
      ? layers.map((l) => `${l.layer} ${avgDead(l.layer).toFixed(digits)}/${l.channels}`).join(', ')
      : `${layers.reduce((a, l) => a + avgDead(l.layer), 0).toFixed(digits)}/${layers.reduce((a, l) => a + l.channels, 0)} in ${layers.length} layers`;
  // Recorded by the later runs only: averaged over those that have it.
  const withU = rs.filter((r) => r.unstructured !== undefined);
  const unstructured = withU.length > 0 ? pct(mean(withU.map((r) => r.unstructured!))) : '—';
  const chosen = rs.map((r) => r.chosen);
  const allChosen = chosen.every((c): c is Prune => c !== null);
  console.log(
    `| ${run} | ${seeds} | ${pct(mean(rs.map((r) => r.accuracy.test)))} | ${pct(mean(rs.map((r) => r.accuracy.selection)))} | ` +
      `${pct(mean(rs.map((r) => r.structured.spread)))} | ${pct(mean(rs.map((r) => r.structured.activity)))} | ${unstructured} | ${dead} | ${rs[0]!.criterion} | ` +
      (allChosen
        ? `${chosen.map((c) => c.threshold).join(', ')} | ${k(mean(chosen.map((c) => c.macs)))} of ${k(rs[0]!.macs)} | ${pct(mean(chosen.map((c) => c.test)))} |`
        : '— | — | — |'),
  );
}

// Importance comparison on the same trained models (runs that recorded several).
const multi = rows.filter((r) => r.byCriterion && Object.keys(r.byCriterion).length > 1);
if (multi.length > 0) {
  console.log('\nSame trained model, pruned by each importance (threshold chosen on the selection set):\n');
  const crits = [...new Set(multi.flatMap((r) => Object.keys(r.byCriterion!)))];
  console.log(`| run | seed | ${crits.map((c) => `${c}: MACs / test acc.`).join(' | ')} |`);
  console.log(`|---|---|${crits.map(() => '---').join('|')}|`);
  for (const r of multi) {
    const cells = crits.map((c) => {
      const ch = r.byCriterion![c]?.chosen;
      return ch ? `${k(ch.macs)} / ${pct(ch.test)} (≤ ${ch.threshold})` : '—';
    });
    console.log(`| ${r.run} | ${r.seed} | ${cells.join(' | ')} |`);
  }
}
