import { describe, expect, it } from 'vitest';
import { axisLabel, fmt, heatmapOption, lineOption, paretoFront, pct, pctTick } from './options';

describe('chart options', () => {
  it('the Pareto front keeps points no other beats on both fewer MACs and higher accuracy', () => {
    const p = (id: string, x: number, y: number) => ({ id, name: id, x, y, kind: 'run' as const });
    const front = paretoFront([p('big', 100, 0.95), p('mid', 50, 0.93), p('worse', 60, 0.9), p('small', 10, 0.8), p('tie', 100, 0.94)]);
    expect(front.map((f) => f.id)).toEqual(['small', 'mid', 'big']);
  });

  it('the heatmap outlines the selected epoch and leaves missing cells empty', () => {
    const o = heatmapOption(['c1', 'c2'], [1, 2], (l, e) => (l === 'c2' && e === 1 ? null : 0.5), 2) as { series: Array<{ data: Array<{ value: unknown[]; itemStyle?: unknown }> }> };
    const data = o.series[0]!.data;
    expect(data).toHaveLength(4);
    expect(data.find((d) => d.value[0] === 0 && d.value[1] === 1)!.value[2]).toBe('-');
    expect(data.filter((d) => d.itemStyle).map((d) => d.value[0])).toEqual([1, 1]);
  });

  it('formats numbers compactly and tells axis ticks apart', () => {
    expect(fmt(133_000)).toBe('133k');
    expect(fmt(14_720_000)).toBe('14.7M');
    expect(fmt(null)).toBe('—');
    expect(pct(0.2346)).toBe('23.5%');
    expect(axisLabel(4.005)).toBe('4.005');
  });

  it('percent axes never repeat a tick label: as many decimals as the tick needs', () => {
    const ticks = [0.94, 0.942, 0.944, 0.946, 0.948, 0.95];
    const labels = ticks.map(pctTick);
    expect(labels).toEqual(['94%', '94.2%', '94.4%', '94.6%', '94.8%', '95%']);
    expect(pctTick(0.9525)).toBe('95.25%');
    expect(pctTick(0.07)).toBe('7%');
    expect(pctTick(0.111723)).toBe('11.17%');
    // The accuracy chart's y axis uses it.
    const o = lineOption([{ name: 'test', data: [[1, 0.943], [2, 0.947]] }], { yPercent: true }) as { yAxis: { axisLabel: { formatter: (v: number) => string } } };
    expect(ticks.map(o.yAxis.axisLabel.formatter)).toEqual(labels);
  });

  it('a share-of-MACs x axis ends and ticks on 10 % steps, not at the data (no end label over a tick)', () => {
    const o = lineOption([{ name: 'accuracy', data: [[0.0538, 0.1], [0.4, 0.12]] }], { xPercent: true, yPercent: true }) as { xAxis: { min: (v: { min: number }) => number; max: (v: { max: number }) => number; interval: number } };
    expect(o.xAxis.min({ min: 0.0538 })).toBe(0);
    expect(o.xAxis.min({ min: 0.15 })).toBeCloseTo(0.1, 12);
    expect(o.xAxis.min({ min: 0.3 })).toBeCloseTo(0.3, 12);
    expect(o.xAxis.max({ max: 0.4 })).toBeCloseTo(0.4, 12);
    expect(o.xAxis.max({ max: 0.412 })).toBeCloseTo(0.5, 12);
    expect(o.xAxis.max({ max: 0.99 })).toBe(1);
    expect(o.xAxis.interval).toBe(0.1);
  });

  it('the heatmap legend marker prints the hovered cell as a percentage, not rounded to 0', () => {
    const o = heatmapOption(['c1'], [1], () => 0.375, 1) as { visualMap: { formatter: (v: number) => string } };
    expect(o.visualMap.formatter(0.375)).toBe('37.5%');
  });
});
