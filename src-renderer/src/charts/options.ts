/**
 * Chart options as pure functions of store data: the views stay declarative, the look is defined
 * once here, and the shapes can be unit-tested without a canvas.
 */
import type { EChartsCoreOption } from './echarts';

export const PALETTE = ['#2b63d9', '#d9622b', '#1f8a4c', '#8e44ad', '#b7791f', '#0f8b8d', '#c23b32', '#5a6473'];

export const AXIS = '#9aa3ae';
const SPLIT = '#edf0f3';
export const TEXT = '#4a5360';
export const FONT = "'Inter', 'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif";
export const MONO = "'JetBrains Mono', ui-monospace, 'DejaVu Sans Mono', monospace";

/** The axis tooltip every chart uses (callers add their own formatter). */
export const AXIS_TOOLTIP = {
  trigger: 'axis',
  confine: true,
  backgroundColor: 'rgba(255,255,255,0.97)',
  borderColor: '#d5d9df',
  textStyle: { fontFamily: MONO, fontSize: 11, color: '#1b2129' },
} as const;

/** Axis tick labels: enough digits to tell neighbouring ticks apart, SI suffixes for big counts. */
export function axisLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e4) return fmt(v);
  if (a !== 0 && a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

/** Compact numbers for axes and tooltips: 3 significant digits, SI suffixes for large counts. */
export function fmt(v: unknown, digits = 3): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toPrecision(digits) + 'G';
  if (a >= 1e6) return (v / 1e6).toPrecision(digits) + 'M';
  if (a >= 1e4) return (v / 1e3).toPrecision(digits) + 'k';
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}
/**
 * Percent axis ticks: as many decimals as the tick needs, up to two, so ticks 0.942 and 0.944 read
 * "94.2%" and "94.4%" (rounding to whole percents printed "94%, 94%, 95%, 95%" on a zoomed-in
 * accuracy axis), and an axis that ends at a data value reads "11.17%", not "11.1723%".
 */
export function pctTick(v: number): string {
  return `${Number((v * 100).toFixed(2))}%`;
}

export const pct = (v: number | null | undefined, digits = 1): string =>
  typeof v === 'number' && Number.isFinite(v) ? (v * 100).toFixed(digits) + '%' : '—';

function base(): EChartsCoreOption {
  return {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: FONT, fontSize: 11, color: TEXT },
    grid: { left: 52, right: 16, top: 30, bottom: 30, containLabel: false },
    tooltip: { ...AXIS_TOOLTIP, valueFormatter: (v: unknown) => fmt(v, 4) },
  };
}

function valueAxis(name?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    name,
    nameTextStyle: { color: AXIS, fontSize: 10, align: 'left' },
    axisLine: { show: false },
    axisTick: { show: false },
    axisLabel: { color: TEXT, fontFamily: MONO, fontSize: 10, formatter: axisLabel },
    splitLine: { lineStyle: { color: SPLIT } },
    scale: true,
    ...extra,
  };
}

export interface LineSeries {
  name: string;
  /** [x, y] pairs; y null leaves a gap. */
  data: Array<[number, number | null]>;
  dashed?: boolean;
  color?: string;
}

/** Curves over epochs (or steps). Legend only when there is more than one series. */
export function lineOption(series: LineSeries[], o: { xName?: string; yName?: string; yMin?: number; yMax?: number; yPercent?: boolean; xPercent?: boolean; markX?: number | null; xMin?: number; xMax?: number } = {}): EChartsCoreOption {
  const percent = o.yPercent === true;
  const withLegend = series.length > 1;
  return {
    ...base(),
    grid: { left: 52, right: 16, top: withLegend ? 30 : 22, bottom: o.xPercent ? 36 : 30 },
    legend: withLegend
      ? { top: 0, right: 0, itemWidth: 14, itemHeight: 2, icon: 'rect', textStyle: { fontSize: 11, color: TEXT }, type: 'scroll' }
      : undefined,
    xAxis: {
      type: 'value',
      name: o.xName ?? 'epoch',
      // A share axis has a label at its right end ("100%"): its name goes below the middle instead.
      ...(o.xPercent
        ? { nameLocation: 'middle', nameGap: 18, nameTextStyle: { color: AXIS, fontSize: 10 } }
        : { nameLocation: 'end', nameGap: 4, nameTextStyle: { color: AXIS, fontSize: 10, verticalAlign: 'top', padding: [14, 0, 0, 0] } }),
      // Epochs are integers; a share axis (xPercent) must not be forced to whole numbers.
      minInterval: o.xPercent ? 0 : 1,
      // A share axis ends on 10 % steps and ticks every 10 %: the data's own ends would print as
      // ticks like "5.38%", and an end between two ticks prints its label over its neighbour's.
      min: o.xMin ?? (o.xPercent ? (v: { min: number }) => Math.max(0, Math.floor(v.min * 10 + 1e-9) / 10) : 'dataMin'),
      max: o.xMax ?? (o.xPercent ? (v: { max: number }) => Math.min(1, Math.ceil(v.max * 10 - 1e-9) / 10) : 'dataMax'),
      ...(o.xPercent && o.xMin === undefined && o.xMax === undefined ? { interval: 0.1 } : {}),
      axisLine: { lineStyle: { color: '#cfd4da' } },
      axisTick: { show: false },
      // Epoch axes are integers; other x axes (e.g. share of MACs kept) get the tick formatter.
      axisLabel: { color: TEXT, fontFamily: MONO, fontSize: 10, formatter: o.xPercent ? pctTick : axisLabel },
      splitLine: { show: false },
    },
    yAxis: valueAxis(o.yName, {
      ...(o.yMin !== undefined ? { min: o.yMin } : {}),
      ...(o.yMax !== undefined ? { max: o.yMax } : {}),
      ...(percent ? { axisLabel: { color: TEXT, fontFamily: MONO, fontSize: 10, formatter: pctTick } } : {}),
    }),
    tooltip: {
      ...(base().tooltip as object),
      valueFormatter: (v: unknown) => (percent && typeof v === 'number' ? pct(v, 2) : fmt(v, 4)),
    },
    series: series.map((s, i) => ({
      type: 'line',
      name: s.name,
      data: s.data,
      showSymbol: s.data.length <= 30,
      symbolSize: 4,
      connectNulls: false,
      lineStyle: { width: 1.6, type: s.dashed ? 'dashed' : 'solid' },
      color: s.color ?? PALETTE[i % PALETTE.length],
      ...(i === 0 && o.markX != null
        ? { markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: '#9aa3ae', type: 'dotted' }, data: [{ xAxis: o.markX }] } }
        : {}),
    })),
  };
}

/**
 * Layer × epoch heatmap of a share in [0, 1] (structured sparsity). Layers read top to bottom in
 * network order; the selected epoch is outlined so the scrubber and the chart agree.
 */
export function heatmapOption(layers: string[], epochs: number[], value: (layer: string, epoch: number) => number | null, selectedEpoch: number | null): EChartsCoreOption {
  const selIdx = selectedEpoch === null ? -1 : epochs.indexOf(selectedEpoch);
  // The scrubber's epoch is drawn as an outlined column, cell by cell, so chart and slider agree.
  const data = epochs.flatMap((e, xi) =>
    layers.map((l, yi) => {
      const v = value(l, e);
      return {
        value: [xi, yi, v === null ? '-' : v] as [number, number, number | '-'],
        ...(xi === selIdx ? { itemStyle: { borderColor: '#d9622b', borderWidth: 2 } } : {}),
      };
    }),
  );
  return {
    animation: false,
    textStyle: { fontFamily: FONT, fontSize: 11, color: TEXT },
    grid: { left: 92, right: 16, top: 8, bottom: 46 },
    tooltip: {
      position: 'top',
      confine: true,
      textStyle: { fontFamily: MONO, fontSize: 11 },
      formatter: (p: { value: [number, number, number | '-'] }) =>
        `${layers[p.value[1]] ?? ''} · epoch ${epochs[p.value[0]] ?? ''}<br/>structured sparsity <b>${p.value[2] === '-' ? '—' : pct(p.value[2])}</b>`,
    },
    xAxis: {
      type: 'category',
      data: epochs.map(String),
      name: 'epoch',
      nameLocation: 'middle',
      nameGap: 20,
      nameTextStyle: { color: AXIS, fontSize: 10 },
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { fontFamily: MONO, fontSize: 10, color: TEXT, interval: 'auto' },
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      data: layers,
      inverse: true,
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { fontFamily: MONO, fontSize: 10, color: TEXT },
    },
    visualMap: {
      min: 0,
      max: 1,
      calculable: false,
      orient: 'horizontal',
      right: 8,
      bottom: 0,
      itemHeight: 140,
      itemWidth: 9,
      text: ['100%', '0%'],
      textStyle: { fontFamily: MONO, fontSize: 10, color: TEXT },
      // The marker that follows the hovered cell prints its value: the default (precision 0) showed
      // a 37.5 % cell as "0".
      formatter: (v: number) => pct(v),
      // Sequential, perceptually ordered: pale = dense layer, deep = many dead channels.
      inRange: { color: ['#f3f6fa', '#c6d7f2', '#7fa5e3', '#3b6fd0', '#1d3f8f', '#0f2350'] },
    },
    series: [
      {
        type: 'heatmap',
        data,
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: '#1b2129', borderWidth: 1 } },
      },
    ],
  };
}

/** A histogram from bin edges and counts, drawn as adjacent bars. */
export function histogramOption(edges: number[], counts: number[], o: { color?: string; xName?: string; threshold?: number | null } = {}): EChartsCoreOption {
  const labels = counts.map((_, i) => `${fmt(edges[i] ?? 0, 2)}–${fmt(edges[i + 1] ?? 0, 2)}`);
  return {
    ...base(),
    grid: { left: 34, right: 8, top: 10, bottom: 22 },
    tooltip: { ...(base().tooltip as object), trigger: 'axis', valueFormatter: (v: unknown) => `${String(v)} ch` },
    xAxis: {
      type: 'category',
      data: labels,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#cfd4da' } },
      axisLabel: { show: true, interval: Math.max(0, Math.floor(counts.length / 4) - 1), fontFamily: MONO, fontSize: 9, color: TEXT, formatter: (s: string) => s.split('–')[0] ?? s },
      name: o.xName,
    },
    yAxis: valueAxis(undefined, { minInterval: 1, scale: false }),
    series: [{ type: 'bar', data: counts, barCategoryGap: '8%', itemStyle: { color: o.color ?? PALETTE[0] } }],
  };
}

export interface BarGroup {
  name: string;
  values: Array<number | null>;
}

/** Grouped bars: one category per layer, one bar per run (compare view) or per measure. */
export function groupedBarsOption(categories: string[], groups: BarGroup[], o: { yPercent?: boolean; yName?: string; horizontalLabels?: boolean } = {}): EChartsCoreOption {
  const percent = o.yPercent === true;
  return {
    ...base(),
    grid: { left: 52, right: 16, top: groups.length > 1 ? 30 : 16, bottom: 40 },
    legend: groups.length > 1 ? { top: 0, right: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 }, type: 'scroll' } : undefined,
    tooltip: { ...(base().tooltip as object), axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => (percent && typeof v === 'number' ? pct(v) : fmt(v, 4)) },
    xAxis: {
      type: 'category',
      data: categories,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#cfd4da' } },
      axisLabel: { fontFamily: MONO, fontSize: 10, color: TEXT, interval: 0, rotate: categories.length > 8 ? 30 : 0 },
    },
    yAxis: valueAxis(o.yName, percent ? { min: 0, max: 1, scale: false, axisLabel: { fontFamily: MONO, fontSize: 10, color: TEXT, formatter: pctTick } } : { scale: false }),
    series: groups.map((g) => ({ type: 'bar', name: g.name, data: g.values, barMaxWidth: 22 })),
  };
}

export interface ScatterPoint {
  name: string;
  x: number;
  y: number;
  kind: 'run' | 'pruned';
  id: string;
}

/** Points no other point beats on both axes (fewer MACs and higher accuracy), sorted by x. */
export function paretoFront(points: ScatterPoint[]): ScatterPoint[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y);
  const front: ScatterPoint[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.y > best) {
      front.push(p);
      best = p.y;
    }
  }
  return front;
}

/** Accuracy vs MACs, runs as circles, pruned children as diamonds, the Pareto front as a step line. */
export function paretoOption(points: ScatterPoint[]): EChartsCoreOption {
  const front = paretoFront(points);
  const frontIds = new Set(front.map((p) => p.id));
  const toDatum = (p: ScatterPoint) => ({
    value: [p.x, p.y],
    name: p.name,
    itemStyle: frontIds.has(p.id) ? { borderColor: '#1b2129', borderWidth: 1.2 } : undefined,
  });
  return {
    ...base(),
    grid: { left: 56, right: 24, top: 30, bottom: 40 },
    legend: { top: 0, right: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } },
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontFamily: MONO, fontSize: 11 },
      formatter: (p: { data: { name: string; value: [number, number] } | [number, number]; seriesName: string }) => {
        if (Array.isArray(p.data)) return `Pareto front<br/>${fmt(p.data[0])} MACs · ${pct(p.data[1], 2)}`;
        return `${p.data.name}<br/>${fmt(p.data.value[0])} MACs · ${pct(p.data.value[1], 2)}`;
      },
    },
    xAxis: valueAxis('MACs', { nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: AXIS, fontSize: 10 } }),
    // Accuracy never exceeds 100 %: cap the padded range there.
    yAxis: valueAxis('test accuracy', { min: (v: { min: number }) => Math.max(0, Math.floor((v.min - 0.02) * 20) / 20), max: (v: { max: number }) => Math.min(1, Math.ceil((v.max + 0.02) * 20) / 20), axisLabel: { fontFamily: MONO, fontSize: 10, color: TEXT, formatter: pctTick } }),
    series: [
      { type: 'scatter', name: 'runs', symbol: 'circle', symbolSize: 9, color: PALETTE[0], data: points.filter((p) => p.kind === 'run').map(toDatum) },
      { type: 'scatter', name: 'pruned', symbol: 'diamond', symbolSize: 11, color: PALETTE[1], data: points.filter((p) => p.kind === 'pruned').map(toDatum) },
      { type: 'line', name: 'Pareto front', step: 'end', symbol: 'none', color: '#1b2129', lineStyle: { width: 1, type: 'dashed' }, data: front.map((p) => [p.x, p.y]), z: 1 },
    ],
  };
}

/**
 * Feature flow at one epoch: each layer's segment length (bars, left axis) and the turning angle at
 * it (line, right axis, degrees). Layers that are not FFR taps have no value and show a gap.
 */
export function flowOption(layers: string[], lengths: Array<number | null>, anglesRad: Array<number | null>): EChartsCoreOption {
  const deg = anglesRad.map((a) => (a === null ? null : (a * 180) / Math.PI));
  return {
    ...base(),
    grid: { left: 52, right: 48, top: 30, bottom: 40 },
    legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    tooltip: { ...(base().tooltip as object), axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category',
      data: layers,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#cfd4da' } },
      axisLabel: { fontFamily: MONO, fontSize: 10, color: TEXT, interval: 0, rotate: layers.length > 8 ? 30 : 0 },
    },
    yAxis: [
      // No axis names: the legend names both series, and names collide with it in a short panel.
      valueAxis(undefined, { scale: false }),
      valueAxis(undefined, { scale: false, splitLine: { show: false }, max: 180, axisLabel: { fontFamily: MONO, fontSize: 10, color: TEXT, formatter: (v: number) => `${v}°` }, nameTextStyle: { color: AXIS, fontSize: 10, align: 'right' } }),
    ],
    series: [
      { type: 'bar', name: 'segment length', data: lengths, barMaxWidth: 26, itemStyle: { color: '#0f8b8d' } },
      { type: 'line', name: 'turning angle', yAxisIndex: 1, data: deg, symbolSize: 6, connectNulls: false, lineStyle: { width: 1.6 }, itemStyle: { color: '#8e44ad' } },
    ],
  };
}

export interface ParallelRun {
  id: string;
  name: string;
  regularizer: string;
  lambda: number;
  accuracy: number;
  sparsity: number;
  params: number | null;
}

/**
 * Parallel coordinates over finished runs: regularizer × λ × final test accuracy × structured
 * sparsity × parameters, one line per run, one colour per regularizer (so a λ sweep reads as a fan).
 * Dragging along an axis brushes it (ECharts' parallel axes do that by themselves).
 */
export function parallelOption(runs: ParallelRun[]): EChartsCoreOption {
  const regs = [...new Set(runs.map((r) => r.regularizer))].sort();
  const axisLabelStyle = { color: TEXT, fontFamily: MONO, fontSize: 10 };
  const axis = (dim: number, name: string, extra: Record<string, unknown> = {}) => ({
    dim,
    name,
    nameTextStyle: { color: TEXT, fontSize: 11 },
    axisLine: { lineStyle: { color: '#cfd4da' } },
    axisTick: { show: false },
    axisLabel: { ...axisLabelStyle, formatter: axisLabel },
    splitLine: { show: false },
    ...extra,
  });
  return {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: FONT, fontSize: 11, color: TEXT },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 2, icon: 'rect', textStyle: { fontSize: 11, color: TEXT } },
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontFamily: MONO, fontSize: 11 },
      formatter: (p: { data: { name: string; value: number[] } }) =>
        `${p.data.name}<br/>λ ${fmt(p.data.value[1])} · acc ${pct(p.data.value[2], 2)} · sparsity ${pct(p.data.value[3])} · ${fmt(p.data.value[4])} params`,
    },
    parallel: { left: 60, right: 70, top: 40, bottom: 24, parallelAxisDefault: { nameLocation: 'end', nameGap: 12 } },
    parallelAxis: [
      axis(0, 'regularizer', { type: 'category', data: regs, axisLabel: { ...axisLabelStyle } }),
      axis(1, 'λ'),
      axis(2, 'test accuracy', { min: (v: { min: number }) => Math.max(0, Math.floor(v.min * 20) / 20), max: 1, axisLabel: { ...axisLabelStyle, formatter: pctTick } }),
      axis(3, 'structured sparsity', { min: 0, max: (v: { max: number }) => Math.max(0.1, Math.ceil(v.max * 10) / 10), axisLabel: { ...axisLabelStyle, formatter: pctTick } }),
      axis(4, 'params'),
    ],
    series: regs.map((reg) => ({
      type: 'parallel',
      name: reg,
      lineStyle: { width: 1.6, opacity: 0.75 },
      emphasis: { lineStyle: { width: 3, opacity: 1 } },
      data: runs.filter((r) => r.regularizer === reg).map((r) => ({ name: r.name, value: [reg, r.lambda, r.accuracy, r.sparsity, r.params ?? 0] })),
    })),
  };
}
