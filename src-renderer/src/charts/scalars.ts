/**
 * Scalar charts as experiment trackers draw them: series of points that each know their step, epoch
 * position and wall time, so one chart can be read against any of the three; exponential smoothing
 * (TensorBoard's, debiased so the start is not dragged to 0) with the raw line kept faint behind;
 * a log scale; zoom (wheel / drag, a slider) and CSV of what is drawn. Pure functions: the component
 * (ScalarChart.vue) only wires them to ECharts and the buttons.
 */
import type { EChartsCoreOption } from './echarts';
import { AXIS, AXIS_TOOLTIP, axisLabel, FONT, fmt, MONO, pct, pctTick, PALETTE, TEXT } from './options';

export type XAxis = 'step' | 'epoch' | 'time';
export const X_AXES: Array<{ key: XAxis; label: string }> = [
  { key: 'step', label: 'step' },
  { key: 'epoch', label: 'epoch' },
  { key: 'time', label: 'time' },
];

export interface ScalarPoint {
  /** Global training step (1-based). */
  step: number;
  /** Position in epochs: 2.5 is halfway through epoch 3; an epoch's end is the epoch number itself. */
  epoch: number;
  /** Wall-clock ms since 1970, or null when unknown (runs recorded before step scalars). */
  time: number | null;
  value: number;
}

export interface ScalarSeries {
  name: string;
  points: ScalarPoint[];
  color?: string;
  /** Epoch-level values (a few points): drawn with markers, never smoothed. */
  perEpoch?: boolean;
  dashed?: boolean;
}

/**
 * TensorBoard's smoothing: an exponential moving average, debiased (divided by 1 − w^n) so the first
 * points are not pulled towards zero. weight 0 returns the values; non-finite values pass through.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - weight ** n);
  });
}

/** The x of a point on the chosen axis; time is seconds since `t0` (the first point's time). */
export function xOf(p: ScalarPoint, axis: XAxis, t0: number): number | null {
  if (axis === 'step') return p.step;
  if (axis === 'epoch') return p.epoch;
  return p.time === null ? null : (p.time - t0) / 1000;
}

/** The earliest time among the series (the zero of the time axis). */
export function timeOrigin(series: readonly ScalarSeries[]): number {
  let t0 = Infinity;
  for (const s of series) for (const p of s.points) if (p.time !== null && p.time < t0) t0 = p.time;
  return Number.isFinite(t0) ? t0 : 0;
}

/** Whether every value is positive (a log axis is possible). */
export function logPossible(series: readonly ScalarSeries[]): boolean {
  return series.some((s) => s.points.length > 0) && series.every((s) => s.points.every((p) => p.value > 0));
}

/** "1m 05s" for a time axis in seconds. */
export function secondsLabel(v: number): string {
  const s = Math.round(v);
  if (Math.abs(s) < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}`;
}

/** What is drawn, as CSV: one line per point (series, step, epoch, time, value, smoothed). */
export function seriesCsv(series: readonly ScalarSeries[], smoothing: number): string {
  const lines = ['series,step,epoch,time,value,smoothed'];
  for (const s of series) {
    const sm = s.perEpoch ? s.points.map((p) => p.value) : smooth(s.points.map((p) => p.value), smoothing);
    s.points.forEach((p, i) => {
      const name = /[",\n]/.test(s.name) ? `"${s.name.replace(/"/g, '""')}"` : s.name;
      lines.push([name, p.step, Number(p.epoch.toFixed(6)), p.time === null ? '' : new Date(p.time).toISOString(), p.value, sm[i]].join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}

export interface ScalarChartOptions {
  x: XAxis;
  smoothing: number;
  logY: boolean;
  percent?: boolean;
  /** A dotted vertical line at this epoch (the run page's epoch scrubber), on the epoch/step axis. */
  markEpoch?: { epoch: number; step: number | null } | null;
  /** Fix the x range (the run's planned epochs on the epoch axis, so live curves grow across it). */
  xMax?: number | null;
  /** Show the zoom slider (long runs). */
  slider?: boolean;
}

/** A faint copy of a colour for the raw line behind a smoothed one. */
function faint(hex: string): string {
  return /^#[0-9a-f]{6}$/i.test(hex) ? `${hex}40` : hex;
}

export function scalarChartOption(series: readonly ScalarSeries[], o: ScalarChartOptions): EChartsCoreOption {
  const t0 = timeOrigin(series);
  const valueText = (v: unknown) => (o.percent && typeof v === 'number' ? pct(v, 2) : fmt(v, 4));
  const drawn: Array<Record<string, unknown>> = [];
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const xs = s.points.map((p) => xOf(p, o.x, t0));
    const raw = s.points.map((p) => p.value);
    const smoothed = s.perEpoch || o.smoothing <= 0 ? raw : smooth(raw, o.smoothing);
    const data = (values: number[]) => values.map((v, j) => [xs[j], v] as [number | null, number]).filter((d) => d[0] !== null);
    const showSymbols = s.perEpoch || s.points.length <= 30;
    // The smoothed line first (the legend takes its colour from the first series of a name), the
    // faint raw one after it but drawn beneath (z).
    drawn.push({
      type: 'line',
      name: s.name,
      data: data(smoothed),
      showSymbol: showSymbols,
      symbolSize: s.perEpoch ? 5 : 3,
      connectNulls: false,
      lineStyle: { width: 1.6, type: s.dashed ? 'dashed' : 'solid', color },
      itemStyle: { color },
      z: 2,
    });
    if (!s.perEpoch && o.smoothing > 0) {
      drawn.push({ type: 'line', id: `raw:${s.name}`, name: s.name, data: data(raw), showSymbol: false, silent: true, lineStyle: { width: 1, color: faint(color) }, itemStyle: { color: faint(color) }, z: 1 });
    }
  });
  const mark = o.markEpoch && o.x !== 'time' ? (o.x === 'epoch' ? o.markEpoch.epoch : o.markEpoch.step) : null;
  if (mark != null && drawn[0]) {
    drawn[0]!.markLine = { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: '#9aa3ae', type: 'dotted' }, data: [{ xAxis: mark }] };
  }
  const legend = series.length > 1;
  return {
    animation: false,
    textStyle: { fontFamily: FONT, fontSize: 11, color: TEXT },
    grid: { left: 56, right: 18, top: legend ? 30 : 20, bottom: o.slider ? 52 : 30 },
    legend: legend ? { top: 0, right: 0, itemWidth: 14, itemHeight: 2, icon: 'rect', textStyle: { fontSize: 11, color: TEXT }, type: 'scroll', data: series.map((s) => s.name) } : undefined,
    tooltip: {
      ...AXIS_TOOLTIP,
      // The faint raw lines behind smoothed ones are left out; the x reads in its own unit.
      formatter: (params: Array<{ seriesId?: string; seriesName: string; marker: string; value: [number, number] }>) => {
        const shown = params.filter((p) => !String(p.seriesId ?? '').startsWith('raw:'));
        const x = shown[0]?.value[0];
        const head = x === undefined ? '' : o.x === 'time' ? secondsLabel(x) : `${o.x} ${Number(x.toPrecision(6))}`;
        return [head, ...shown.map((p) => `${p.marker}${p.seriesName} <b>${valueText(p.value[1])}</b>`)].join('<br/>');
      },
    },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    xAxis: {
      type: 'value',
      name: o.x === 'time' ? 'time' : o.x,
      nameLocation: 'end',
      nameGap: 4,
      nameTextStyle: { color: AXIS, fontSize: 10, verticalAlign: 'top', padding: [14, 0, 0, 0] },
      min: o.x === 'epoch' ? 0 : 'dataMin',
      max: o.x === 'epoch' && o.xMax ? o.xMax : 'dataMax',
      minInterval: o.x === 'step' ? 1 : 0,
      axisLine: { lineStyle: { color: '#cfd4da' } },
      axisTick: { show: false },
      axisLabel: { color: TEXT, fontFamily: MONO, fontSize: 10, formatter: o.x === 'time' ? secondsLabel : axisLabel },
      splitLine: { show: false },
    },
    yAxis: {
      type: o.logY ? 'log' : 'value',
      scale: true,
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { color: TEXT, fontFamily: MONO, fontSize: 10, formatter: o.percent ? pctTick : axisLabel },
      splitLine: { lineStyle: { color: '#edf0f3' } },
      // A share never goes past 100 %: the top tick is the next 5 % step, at most 100 %.
      ...(o.percent && !o.logY ? { max: (v: { max: number }) => Math.min(1, Math.ceil((v.max + 1e-9) * 20) / 20) } : {}),
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      ...(o.slider ? [{ type: 'slider', xAxisIndex: 0, height: 14, bottom: 6, filterMode: 'none', showDetail: false, borderColor: '#dfe2e7' }] : []),
    ],
    series: drawn,
  };
}
