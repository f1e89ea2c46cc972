import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../../src-main/shared/run-config';
import { run, summary } from '../testing/fixtures';
import { NO_FILTERS, describePctStat, groupName, formatPctStat, lambdaOf, shortNumber, matches, meanStd, seedGroups, sortRuns } from './runTable';

const ffr = (id: string, seed: number, lambdaLength = 0.5) => run(id, { config: defaultRunConfig({ seed, ffr: { lambdaLength } }) });
const none = (id: string, seed: number) => run(id, { config: defaultRunConfig({ regularizer: 'none', seed }) });

describe('runs table', () => {
  it('groups seeds of one config and reports mean ± sample std', () => {
    const runs = [ffr('a', 1), ffr('b', 2), ffr('c', 3), none('d', 1), ffr('e', 1, 2)];
    const sums = { a: summary(runs[0]!, 0.9), b: summary(runs[1]!, 0.92), c: summary(runs[2]!, 0.94), d: summary(runs[3]!, 0.97), e: summary(runs[4]!, 0.22) };
    const groups = seedGroups(runs, sums);
    expect(groups.map((g) => g.runs.map((r) => r.id))).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
    expect(groups[0]!.seeds).toEqual([1, 2, 3]);
    expect(groups[0]!.finalAcc!.mean).toBeCloseTo(0.92, 10);
    // sample std of 0.90, 0.92, 0.94 is 0.02
    expect(groups[0]!.finalAcc!.std).toBeCloseTo(0.02, 10);
    expect(formatPctStat(groups[0]!.finalAcc)).toBe('92.0±2.0%');
    expect(describePctStat(groups[0]!.finalAcc)).toBe('92.00 % ± 2.00 (mean ± sample std over 3 finished runs)');
    expect(formatPctStat(groups[1]!.finalAcc, 2)).toBe('97.00%');
  });

  it('a run still training joins its group but not its statistics', () => {
    const runs = [ffr('a', 1), ffr('b', 2)];
    const g = seedGroups(runs, { a: summary(runs[0]!, 0.9) })[0]!;
    expect(g.runs).toHaveLength(2);
    expect(g.finalAcc).toEqual({ mean: 0.9, std: 0, n: 1 });
  });

  it('meanStd ignores missing values', () => {
    expect(meanStd([null, undefined, Number.NaN])).toBeNull();
    expect(meanStd([1, 3])).toEqual({ mean: 2, std: Math.SQRT2, n: 2 });
  });

  it('search, status, regularizer and tag filters', () => {
    const a = run('run-a', { name: 'ffr knee', tags: ['paper'], status: 'completed' });
    const b = run('run-b', { name: 'baseline', config: defaultRunConfig({ regularizer: 'none' }), status: 'running' });
    expect(matches(a, { ...NO_FILTERS, search: 'KNEE' })).toBe(true);
    expect(matches(a, { ...NO_FILTERS, search: 'paper lenet5' })).toBe(true);
    expect(matches(a, { ...NO_FILTERS, search: 'paper vgg' })).toBe(false);
    expect(matches(b, { ...NO_FILTERS, status: 'active' })).toBe(true);
    expect(matches(a, { ...NO_FILTERS, status: 'active' })).toBe(false);
    expect(matches(b, { ...NO_FILTERS, regularizer: 'ffr' })).toBe(false);
    expect(matches(a, { ...NO_FILTERS, tag: 'paper' })).toBe(true);
    expect(matches(b, { ...NO_FILTERS, tag: 'paper' })).toBe(false);
  });

  it('sorts by a metric with missing values last in both directions, by λ, and stably', () => {
    const runs = [ffr('a', 1, 0.5), none('b', 1), ffr('c', 1, 2), ffr('d', 1, 0.1)];
    const sums = { a: summary(runs[0]!, 0.9), c: summary(runs[2]!, 0.22), d: summary(runs[3]!, 0.95) };
    expect(sortRuns(runs, sums, { key: 'finalAcc', dir: 'desc' }).map((r) => r.id)).toEqual(['d', 'a', 'c', 'b']);
    expect(sortRuns(runs, sums, { key: 'finalAcc', dir: 'asc' }).map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(sortRuns(runs, sums, { key: 'lambda', dir: 'asc' }).map((r) => r.id)).toEqual(['b', 'd', 'a', 'c']);
    // Validation accuracy sorts on its own; a run recorded before the validation split (null) sorts last, with the unsummarized.
    const val = { ...sums, a: { ...sums.a, final: { ...sums.a.final!, valAccuracy: 0.99 } }, d: { ...sums.d, final: { ...sums.d.final!, valAccuracy: null } } };
    expect(sortRuns(runs, val, { key: 'valAcc', dir: 'desc' }).map((r) => r.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(seedGroups([runs[0]!, runs[3]!], val).map((g) => g.valAcc)).toEqual([{ mean: 0.99, std: 0, n: 1 }, null]);
    expect(lambdaOf(runs[1]!)).toBe(0);
    expect(sortRuns(runs, sums, { key: 'seed', dir: 'asc' }).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('hyperparameters print short', () => {
    expect(shortNumber(0.05)).toBe('0.05');
    expect(shortNumber(1e-4)).toBe('1e−4');
    expect(shortNumber(2.5e-4)).toBe('2.5e−4');
    expect(shortNumber(0)).toBe('0');
    expect(shortNumber(1 / 3)).toBe('0.333');
  });

  it('a seed group is named by what its runs share', () => {
    expect(groupName(['lenet5 ffr s1', 'lenet5 ffr s2'])).toBe('lenet5 ffr');
    expect(groupName(['ffr seed 1', 'ffr seed 2'])).toBe('ffr seed');
    expect(groupName(['alpha', 'beta'])).toBe('alpha');
    expect(groupName(['same', 'same'])).toBe('same');
  });
});
