import { describe, expect, it } from 'vitest';
import { logPossible, scalarChartOption, secondsLabel, seriesCsv, smooth, timeOrigin, xOf, type ScalarSeries } from './scalars';

const pts = (values: number[]) => values.map((value, i) => ({ step: i + 1, epoch: (i + 1) / 4, time: 1_000_000 + i * 500, value }));

describe('scalar charts', () => {
  it('smooths like TensorBoard: a debiased EMA, so a constant stays constant from the first point', () => {
    expect(smooth([5, 5, 5], 0.9)).toEqual([5, 5, 5].map((v) => expect.closeTo(v, 12) as unknown as number));
    const s = smooth([0, 10], 0.5);
    // last = 0; then 0.5·0 + 0.5·10 = 5, debiased by 1 − 0.25 → 6.667
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo(6.6667, 4);
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
  });

  it('reads a point on the step, epoch or time axis (time in seconds from the first point)', () => {
    const p = { step: 40, epoch: 2.5, time: 1_000_000 + 90_000, value: 1 };
    expect(xOf(p, 'step', 1_000_000)).toBe(40);
    expect(xOf(p, 'epoch', 1_000_000)).toBe(2.5);
    expect(xOf(p, 'time', 1_000_000)).toBe(90);
    expect(xOf({ ...p, time: null }, 'time', 0)).toBeNull();
    expect(secondsLabel(90)).toBe('1m30');
    expect(secondsLabel(3725)).toBe('1h02');
    expect(timeOrigin([{ name: 'a', points: pts([1, 2]) }, { name: 'b', points: [{ step: 1, epoch: 1, time: 999, value: 1 }] }])).toBe(999);
  });

  it('a log axis only when every value is positive', () => {
    expect(logPossible([{ name: 'loss', points: pts([2, 1, 0.5]) }])).toBe(true);
    expect(logPossible([{ name: 'reg', points: pts([0.1, 0]) }])).toBe(false);
    expect(logPossible([{ name: 'empty', points: [] }])).toBe(false);
  });

  it('CSV holds every point with its step, epoch, time, value and smoothed value', () => {
    const csv = seriesCsv([{ name: 'train loss', points: pts([4, 2]) }, { name: 'test, loss', points: [{ step: 8, epoch: 2, time: null, value: 3 }], perEpoch: true }], 0.5);
    expect(csv.split('\n')).toEqual([
      'series,step,epoch,time,value,smoothed',
      `train loss,1,0.25,${new Date(1_000_000).toISOString()},4,4`,
      `train loss,2,0.5,${new Date(1_000_500).toISOString()},2,2.6666666666666665`,
      '"test, loss",8,2,,3,3',
      '',
    ]);
  });

  it('the option: smoothed line over a faint raw one, log axis, zoom, and the chosen x', () => {
    const series: ScalarSeries[] = [{ name: 'train loss', points: pts([4, 3, 2, 1]) }, { name: 'test loss', points: [{ step: 4, epoch: 1, time: null, value: 2.5 }], perEpoch: true }];
    const o = scalarChartOption(series, { x: 'epoch', smoothing: 0.6, logY: true, slider: true, xMax: 3 }) as {
      series: Array<{ id?: string; data: Array<[number, number]> }>;
      yAxis: { type: string };
      xAxis: { max: unknown; name: string };
      dataZoom: Array<{ type: string }>;
    };
    expect(o.series.map((s) => s.id ?? 'smoothed')).toEqual(['smoothed', 'raw:train loss', 'smoothed']);
    expect(o.series[1]!.data.map((d) => d[1])).toEqual([4, 3, 2, 1]);
    expect(o.series[0]!.data.map((d) => d[0])).toEqual([0.25, 0.5, 0.75, 1]);
    expect(o.series[0]!.data[3]![1]).toBeGreaterThan(1); // smoothed lags the raw value
    expect(o.series[2]!.data).toEqual([[1, 2.5]]); // per-epoch values are never smoothed
    expect(o.yAxis.type).toBe('log');
    expect(o.xAxis).toMatchObject({ max: 3, name: 'epoch' });
    expect(o.dataZoom.map((d) => d.type)).toEqual(['inside', 'slider']);
    const noSmoothing = scalarChartOption(series, { x: 'step', smoothing: 0, logY: false }) as { series: unknown[]; yAxis: { type: string } };
    expect(noSmoothing.series).toHaveLength(2);
    expect(noSmoothing.yAxis.type).toBe('value');
  });
});
