/**
 * The study plot, as in the FFR paper: accuracy after pruning and fine-tuning against the share of
 * MACs kept, one curve per regularizer (its λ values, mean over seeds, ± one standard deviation as
 * bars), and the Pareto front of the individual cells (chosen on validation) ringed.
 */
import type { StudyReport } from '../../../src-main/shared/study';
import type { EChartsCoreOption } from './echarts';
import { PALETTE, pct } from './options';

export interface StudyCurve {
  label: string;
  /** One per λ with finished cells: [MACs kept, mean accuracy, std or null, λ, n]. */
  points: Array<{ x: number; y: number; std: number | null; lambda: number | null; n: number }>;
}

/** The curves of a study: its groups, by label, ordered by MACs kept. `measure`: which accuracy. */
export function studyCurves(report: StudyReport, measure: 'finalTestAccuracy' | 'finalValAccuracy' = 'finalTestAccuracy'): StudyCurve[] {
  const byLabel = new Map<string, StudyCurve>();
  for (const g of report.groups) {
    const x = g.mean.macsKept;
    const y = g.mean[measure];
    if (x === null || x === undefined || y === null || y === undefined || g.n === 0) continue;
    const curve = byLabel.get(g.label) ?? { label: g.label, points: [] };
    curve.points.push({ x, y, std: g.std[measure] ?? null, lambda: g.lambda, n: g.n });
    byLabel.set(g.label, curve);
  }
  for (const c of byLabel.values()) c.points.sort((a, b) => a.x - b.x);
  return [...byLabel.values()];
}

export function studyPlotOption(report: StudyReport, measure: 'finalTestAccuracy' | 'finalValAccuracy' = 'finalTestAccuracy'): EChartsCoreOption {
  const curves = studyCurves(report, measure);
  const yName = measure === 'finalTestAccuracy' ? 'test accuracy (fine-tuned)' : 'validation accuracy (fine-tuned)';
  const front = report.points
    .filter((p) => p.pareto && p.macs && p.pruned)
    .map((p) => {
      const final = p.finetuned ?? p.pruned!;
      const y = measure === 'finalTestAccuracy' ? final.testAccuracy : final.valAccuracy;
      return { x: p.pruned!.macs / p.macs!, y, label: p.label, lambda: p.lambda, seed: p.seed };
    })
    .filter((p): p is { x: number; y: number; label: string; lambda: number | null; seed: number } => p.y !== null)
    .sort((a, b) => a.x - b.x);
  const series: Array<Record<string, unknown>> = [];
  curves.forEach((c, i) => {
    const color = PALETTE[i % PALETTE.length];
    series.push({
      type: 'line',
      name: c.label,
      color,
      symbol: 'circle',
      symbolSize: 7,
      data: c.points.map((p) => ({ value: [p.x, p.y], lambda: p.lambda, std: p.std, n: p.n })),
    });
    // ± std as vertical bars: one segment per point, separated by gaps.
    series.push({
      type: 'line',
      name: c.label,
      color,
      symbol: 'none',
      lineStyle: { width: 1 },
      tooltip: { show: false },
      silent: true,
      connectNulls: false,
      data: c.points.flatMap((p) => (p.std === null ? [] : [[p.x, p.y - p.std], [p.x, p.y + p.std], [p.x, null]])),
    });
  });
  series.push({
    type: 'scatter',
    name: 'Pareto front (validation)',
    symbol: 'circle',
    symbolSize: 15,
    itemStyle: { color: 'rgba(0,0,0,0)', borderColor: '#1b2129', borderWidth: 1.5 },
    color: '#1b2129',
    data: front.map((p) => ({ value: [p.x, p.y], label: p.label, lambda: p.lambda, seed: p.seed })),
    z: 3,
  });
  // Tick labels with enough decimals to tell neighbouring ticks apart on a narrow range.
  const xs = [...curves.flatMap((c) => c.points.map((p) => p.x)), ...front.map((p) => p.x)];
  const ys = [...curves.flatMap((c) => c.points.flatMap((p) => [p.y - (p.std ?? 0), p.y + (p.std ?? 0)])), ...front.map((p) => p.y)];
  const digits = (values: number[]): number => {
    const range = values.length > 1 ? Math.max(...values) - Math.min(...values) : 0;
    return range >= 0.2 ? 0 : range >= 0.02 ? 1 : 2;
  };
  const xDigits = digits(xs);
  const yDigits = digits(ys);
  return {
    animation: false,
    color: PALETTE,
    textStyle: { fontSize: 11 },
    grid: { left: 64, right: 20, top: 36, bottom: 44 },
    legend: { top: 0, type: 'scroll', data: [...curves.map((c) => c.label), 'Pareto front (validation)'] },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { seriesName: string; data: { value: [number, number]; lambda?: number | null; std?: number | null; n?: number; seed?: number; label?: string } }) => {
        const d = p.data;
        if (!d || !Array.isArray(d.value)) return '';
        const who = d.seed !== undefined ? `${d.label} λ ${d.lambda ?? '—'} seed ${d.seed}` : `${p.seriesName} λ ${d.lambda ?? '—'} (n ${d.n})`;
        const spread = d.std === null || d.std === undefined ? '' : ` ± ${(d.std * 100).toFixed(2)}`;
        return `${who}<br/>MACs kept ${pct(d.value[0], 1)} · ${pct(d.value[1], 2)}${spread}`;
      },
    },
    xAxis: { type: 'value', name: 'MACs kept', nameLocation: 'middle', nameGap: 26, scale: true, axisLabel: { formatter: (v: number) => pct(v, xDigits) } },
    yAxis: { type: 'value', name: yName, nameLocation: 'middle', nameGap: 50, nameRotate: 90, scale: true, axisLabel: { formatter: (v: number) => pct(v, yDigits) } },
    series,
  };
}
