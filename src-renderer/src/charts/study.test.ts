import { describe, expect, it } from 'vitest';
import { studyReport, type PointResult, type StudyPoint } from '../../../src-main/shared/study';
import { studyCurves, studyPlotOption } from './study';

const result = (macsAfter: number, ft: number): PointResult => ({
  valAccuracy: 0.97,
  testAccuracy: 0.96,
  params: 100,
  macs: 1000,
  sparsity: 0,
  pruned: { params: 50, macs: macsAfter, valAccuracy: ft - 0.01, testAccuracy: ft - 0.02, threshold: null, ratio: 0.5, criterion: 'spread' },
  finetuned: { valAccuracy: ft, testAccuracy: ft - 0.005 },
});
const point = (index: number, label: string, lambda: number | null, seed: number, r: PointResult): StudyPoint => ({
  index, label, regularizer: label === 'none' ? 'none' : 'ffr', lambda, seed, state: 'done', runId: `run-${index}`, pruneId: null, finetuneRunId: null, result: r, error: null,
});

const report = studyReport(
  { id: 'stu-1', projectId: null, name: 's', status: 'completed', error: null, createdAt: 'a', updatedAt: 'b',
    spec: { base: {}, grid: [{ regularizer: 'ffr', variant: null, lambdas: [0.3, 0.5] }, { regularizer: 'none', variant: null, lambdas: [null] }], seeds: [1, 2], prune: { kind: 'macs', fraction: 0.5 }, finetuneEpochs: 1, criterion: null } },
  [
    point(0, 'ffr', 0.5, 1, result(400, 0.9)),
    point(1, 'ffr', 0.5, 2, result(400, 0.92)),
    point(2, 'ffr', 0.3, 1, result(500, 0.95)),
    point(3, 'ffr', 0.3, 2, result(500, 0.95)),
    point(4, 'none', null, 1, result(500, 0.94)),
  ],
);

describe('study plot', () => {
  it('one curve per regularizer, its λ values ordered by MACs kept, mean and std over seeds', () => {
    const curves = studyCurves(report);
    expect(curves.map((c) => c.label)).toEqual(['ffr', 'none']);
    const ffr = curves[0]!.points;
    expect(ffr.map((p) => [p.x, p.lambda, p.n])).toEqual([[0.4, 0.5, 2], [0.5, 0.3, 2]]);
    expect(ffr[0]!.y).toBeCloseTo(0.905, 12);
    expect(ffr[0]!.std).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(curves[1]!.points[0]!.std).toBeNull();
  });

  it('draws ± std bars and rings the validation Pareto front', () => {
    const option = studyPlotOption(report) as { series: Array<{ name: string; type: string; data: unknown[] }> };
    const bars = option.series.filter((s) => s.name === 'ffr' && s.type === 'line')[1]!;
    expect(bars.data).toHaveLength(6); // two points × (low, high, gap)
    const front = option.series.find((s) => s.name === 'Pareto front (validation)')!;
    // Cell 1 (400 MACs at 92 % val) and cells 2, 3 (500 at 95 %) are on it; 0 and 4 are dominated.
    expect(front.data).toHaveLength(3);
  });
});
