import { describe, expect, it } from 'vitest';
import {
  cellConfig,
  paretoIndices,
  parseGrid,
  parsePruneRule,
  studyCsv,
  studyGroups,
  studyMarkdown,
  type PointResult,
  type StudyPoint,
} from './study';

function result(o: { val: number; test: number; macsAfter: number; ftVal?: number; ftTest?: number }): PointResult {
  return {
    valAccuracy: 0.99,
    testAccuracy: 0.98,
    params: 1000,
    macs: 10_000,
    sparsity: 0.1,
    pruned: { params: 500, macs: o.macsAfter, valAccuracy: o.val, testAccuracy: o.test, threshold: null, ratio: 0.5, criterion: 'activity' },
    finetuned: o.ftVal === undefined ? null : { valAccuracy: o.ftVal, testAccuracy: o.ftTest ?? o.ftVal },
  };
}

function point(index: number, label: string, lambda: number | null, seed: number, r: PointResult | null): StudyPoint {
  return {
    index,
    label,
    regularizer: label.split('/')[0] as StudyPoint['regularizer'],
    lambda,
    seed,
    state: r ? 'done' : 'pending',
    runId: `run-${index}`,
    pruneId: null,
    finetuneRunId: null,
    result: r,
    error: null,
  };
}

describe('study grid and rule', () => {
  it('parses the grid of the CLI, with FFR variants and a weightless none', () => {
    expect(parseGrid('ffr=0.3,0.5; slimming=0.03;none')).toEqual([
      { regularizer: 'ffr', variant: null, lambdas: [0.3, 0.5] },
      { regularizer: 'slimming', variant: null, lambdas: [0.03] },
      { regularizer: 'none', variant: null, lambdas: [null] },
    ]);
    expect(parseGrid('ffr/index-pad=0.1;group-lasso/filter=0.05')).toEqual([
      { regularizer: 'ffr', variant: 'index-pad', lambdas: [0.1] },
      { regularizer: 'group-lasso', variant: 'filter', lambdas: [0.05] },
    ]);
  });

  it('refuses a malformed grid with one sentence naming the entry', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /is empty/],
      ['dropout=0.1', /"dropout" is not a regularizer/],
      ['ffr', /gives no weight; write ffr=λ/],
      ['ffr=0.1,x', /weight "x" is not a number/],
      ['ffr=-1', /weight "-1" is not a number from 0 to 100/],
      ['none=0.1', /none takes no weight/],
      ['slimming/fast=0.1', /slimming has no variants/],
      ['ffr/sideways=0.1', /"sideways" is not a variant of ffr/],
      ['ffr=0.1;ffr=0.2', /names ffr twice/],
      ['ffr=0.1,0.1', /repeats a weight/],
    ];
    for (const [text, message] of cases) expect(() => parseGrid(text), text).toThrow(message);
  });

  it('parses the three prune rules and refuses anything else', () => {
    expect(parsePruneRule('threshold=0.01')).toEqual({ kind: 'threshold', threshold: 0.01 });
    expect(parsePruneRule('knee=0.005')).toEqual({ kind: 'knee', drop: 0.005 });
    expect(parsePruneRule('macs=0.5')).toEqual({ kind: 'macs', fraction: 0.5 });
    expect(() => parsePruneRule('macs=0')).toThrow('--prune macs=F needs F in (0, 1], got 0.');
    expect(() => parsePruneRule('macs=abc')).toThrow(/needs F in \(0, 1\]/);
    expect(() => parsePruneRule('ratio=0.5')).toThrow(/--prune must be threshold=T, knee=D or macs=F/);
  });

  it('a cell is the base config with its regularizer, weight, variant and seed', () => {
    const base = { model: 'lenet5', epochs: 3, ffr: { lambdaCurvature: 0.1 } };
    expect(cellConfig(base, { regularizer: 'ffr', variant: 'stage', lambdas: [0.3] }, 0.3, 2)).toEqual({
      model: 'lenet5',
      epochs: 3,
      regularizer: 'ffr',
      seed: 2,
      ffr: { lambdaCurvature: 0.1, lambdaLength: 0.3, align: 'stage' },
    });
    // A baseline keeps no FFR options (a run stores only its regularizer's weights).
    expect(cellConfig(base, { regularizer: 'slimming', variant: null, lambdas: [0.03] }, 0.03, 1)).toEqual({ model: 'lenet5', epochs: 3, regularizer: 'slimming', seed: 1, lambda: 0.03 });
    expect(cellConfig(base, { regularizer: 'group-lasso', variant: 'filter', lambdas: [0.05] }, 0.05, 1)).toMatchObject({ regularizer: 'group-lasso', lambda: 0.05, groupLassoGroup: 'filter' });
    expect(cellConfig(base, { regularizer: 'none', variant: null, lambdas: [null] }, null, 1)).toEqual({ model: 'lenet5', epochs: 3, regularizer: 'none', seed: 1 });
  });
});

describe('study summaries', () => {
  const points = [
    point(0, 'ffr', 0.3, 1, result({ val: 0.9, test: 0.88, macsAfter: 5000, ftVal: 0.95, ftTest: 0.94 })),
    point(1, 'ffr', 0.3, 2, result({ val: 0.9, test: 0.9, macsAfter: 5000, ftVal: 0.97, ftTest: 0.96 })),
    point(2, 'ffr', 0.5, 1, result({ val: 0.9, test: 0.9, macsAfter: 4000, ftVal: 0.93, ftTest: 0.99 })),
    point(3, 'ffr', 0.5, 2, result({ val: 0.9, test: 0.9, macsAfter: 4000, ftVal: 0.93, ftTest: 0.99 })),
    point(4, 'none', null, 1, result({ val: 0.9, test: 0.9, macsAfter: 6000, ftVal: 0.96, ftTest: 0.95 })),
    point(5, 'none', null, 2, null),
  ];

  it('groups by (regularizer, λ): mean and sample std over the finished seeds', () => {
    const groups = studyGroups(points);
    const ffr3 = groups.find((g) => g.label === 'ffr' && g.lambda === 0.3)!;
    expect(ffr3.n).toBe(2);
    expect(ffr3.mean.finetunedTestAccuracy).toBeCloseTo(0.95, 12);
    expect(ffr3.std.finetunedTestAccuracy).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(ffr3.mean.macsKept).toBeCloseTo(0.5, 12);
    const none = groups.find((g) => g.label === 'none')!;
    expect(none.n).toBe(1);
    expect(none.std.finetunedTestAccuracy).toBeNull();
  });

  it('chooses each curve’s λ by validation accuracy only: the test accuracy of λ 0.5 is higher but not looked at', () => {
    const groups = studyGroups(points);
    expect(groups.filter((g) => g.selected).map((g) => [g.label, g.lambda])).toEqual([
      ['ffr', 0.3],
      ['none', null],
    ]);
  });

  it('the Pareto front is on (MACs after pruning, final validation accuracy)', () => {
    // 4: 6000 MACs at 96 % (the best val) is on it; 1: 5000 at 97 % dominates 0 (5000 at 95 %); 2, 3: 4000 at 93 %.
    expect([...paretoIndices(points)].sort()).toEqual([1, 2, 3]);
  });

  it('CSV has a row per cell and Markdown the chosen λ first', () => {
    const csv = studyCsv(points).trim().split('\n');
    expect(csv).toHaveLength(7);
    expect(csv[0]!.split(',')).toContain('finetunedTestAccuracy');
    expect(csv[6]).toMatch(/^5,none,none,,2,pending,/);
    const md = studyMarkdown({ id: 'stu-x', name: 'x', spec: { base: {}, grid: parseGrid('ffr=0.3,0.5;none'), seeds: [1, 2], prune: { kind: 'macs', fraction: 0.5 }, finetuneEpochs: 1, criterion: null } }, points);
    expect(md).toContain('| ffr | 0.3 | 2 | 50.0 ± 0.0 | 50.0 ± 0.0 | 96.00 ± 1.41 | 98.00 ± 0.00 | 89.00 ± 1.41 | 95.00 ± 1.41 |');
    expect(md).toContain('| none | — | 1 |');
  });
});
