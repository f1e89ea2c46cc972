import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../shared/run-config';
import { epochRecord, stepRows } from '../testing/fixtures';
import { type TestStore, openTestStore } from '../testing/open';
import { MAX_LOG_LINES } from './logs';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

const newRun = () => t.store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() });

describe('step scalars', () => {
  it('are written with their epoch, paged, and forgotten past a resume point', () => {
    const run = newRun();
    for (const e of [1, 2, 3]) t.store.runs.recordEpoch(run.id, epochRecord(e), stepRows(e, 10));
    expect(t.store.steps.extent(run.id)).toEqual({ count: 30, first: 1, last: 30 });
    const page1 = t.store.steps.page(run.id, { limit: 12 });
    expect(page1.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(page1[0]).toMatchObject({ epoch: 1, loss: 2, crossEntropy: 1.5, window: 1, rssBytes: 1e8 + 1 });
    const page2 = t.store.steps.page(run.id, { afterStep: 12, limit: 100, toStep: 20 });
    expect(page2.map((r) => r.step)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    t.store.resetToEpoch(run.id, 1);
    expect(t.store.steps.extent(run.id)).toEqual({ count: 10, first: 1, last: 10 });
  });

  it('an epoch recorded again replaces its steps; a bad row refuses the whole epoch', () => {
    const run = newRun();
    t.store.runs.recordEpoch(run.id, epochRecord(1), stepRows(1, 4));
    t.store.runs.recordEpoch(run.id, epochRecord(1), stepRows(1, 4).map((r) => ({ ...r, loss: 9 })));
    expect(t.store.steps.page(run.id, { limit: 10 }).map((r) => r.loss)).toEqual([9, 9, 9, 9]);
    const bad = stepRows(2, 4).map((r) => ({ ...r, step: 0 }));
    expect(() => t.store.runs.recordEpoch(run.id, epochRecord(2), bad)).toThrow(/step scalars for run/);
    expect(t.store.metrics.list(run.id)).toHaveLength(1);
  });

  it('an overview has at most N points, each the window-weighted mean of its bucket', () => {
    const run = newRun();
    for (let e = 1; e <= 50; e++) t.store.runs.recordEpoch(run.id, epochRecord(e, false), stepRows(e, 100, 2));
    expect(t.store.steps.extent(run.id).count).toBe(2500);
    const o = t.store.steps.overview(run.id, { points: 100 });
    expect(o.length).toBeLessThanOrEqual(100);
    expect(o.length).toBeGreaterThan(90);
    expect(o.reduce((n, r) => n + r.window, 0)).toBe(5000); // every step is in exactly one bucket
    expect(o.at(-1)!.step).toBe(5000);
    // Bucket means: the first bucket holds steps 2, 4, …; its loss is the mean of 2/step over them.
    const first = t.store.steps.page(run.id, { limit: 2500 }).filter((r) => r.step <= o[0]!.step);
    const mean = first.reduce((a, r) => a + r.loss * r.window, 0) / first.reduce((a, r) => a + r.window, 0);
    expect(o[0]!.loss).toBeCloseTo(mean, 12);
    expect(o[0]!.rssBytes).toBe(Math.max(...first.map((r) => r.rssBytes)));
    // A range: only its steps.
    const zoom = t.store.steps.overview(run.id, { points: 1000, fromStep: 1001, toStep: 1200 });
    expect(zoom.map((r) => r.step)).toEqual(Array.from({ length: 100 }, (_, i) => 1002 + 2 * i));
  });

  it('go with their run', () => {
    const run = newRun();
    t.store.runs.recordEpoch(run.id, epochRecord(1), stepRows(1, 4));
    t.store.logs.append(run.id, 'info', 'hello');
    t.store.runs.delete(run.id);
    const n = (table: string) => (t.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([n('run_steps'), n('run_logs')]).toEqual([0, 0]);
  });
});

describe('run logs', () => {
  it('appends numbered lines and pages them', () => {
    const run = newRun();
    expect(t.store.logs.append(run.id, 'info', 'Training on the wasm backend.')).toEqual({ seq: 1, time: '2026-01-01T00:00:00.000Z', level: 'info', message: 'Training on the wasm backend.' });
    t.store.logs.append(run.id, 'warn', 'second');
    t.store.logs.append(run.id, 'error', 'third');
    expect(t.store.logs.list(run.id, { limit: 10 }).map((l) => [l.seq, l.level])).toEqual([[1, 'info'], [2, 'warn'], [3, 'error']]);
    expect(t.store.logs.list(run.id, { afterSeq: 1, limit: 1 }).map((l) => l.message)).toEqual(['second']);
    expect(t.store.logs.append('run-nope00', 'info', 'x')).toBeNull();
  });

  it('stores a line read from a source once (a Slurm job\'s message read again after a restart)', () => {
    const run = newRun();
    const other = newRun();
    expect(t.store.logs.append(run.id, 'info', 'Training on the cpu backend.', 'slurm:1:120')).toMatchObject({ seq: 1 });
    expect(t.store.logs.has(run.id, 'slurm:1:120')).toBe(true);
    expect(t.store.logs.append(run.id, 'info', 'Training on the cpu backend.', 'slurm:1:120')).toBeNull();
    expect(t.store.logs.append(run.id, 'info', 'Training on the cpu backend.', 'slurm:2:120')).toMatchObject({ seq: 2 });
    expect(t.store.logs.append(other.id, 'info', 'Training on the cpu backend.', 'slurm:1:120')).toMatchObject({ seq: 1 });
    // Lines without a source (the host's own) are never merged.
    t.store.logs.append(run.id, 'info', 'Following Slurm job 7 again.');
    t.store.logs.append(run.id, 'info', 'Following Slurm job 7 again.');
    expect(t.store.logs.list(run.id, { limit: 10 }).map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(() => t.store.db.prepare("INSERT INTO run_logs (run_id, seq, time, level, message, source) VALUES (?, 9, 'x', 'info', 'm', 'slurm:1:120')").run(run.id)).toThrow(/UNIQUE/);
  });

  it('keeps at most MAX_LOG_LINES per run', () => {
    const run = newRun();
    const insert = t.store.db.prepare("INSERT INTO run_logs (run_id, seq, time, level, message) VALUES (?, ?, 'x', 'info', 'old')");
    t.store.db.transaction(() => {
      for (let i = 1; i <= MAX_LOG_LINES; i++) insert.run(run.id, i);
    })();
    expect(t.store.logs.append(run.id, 'info', 'one too many')).toBeNull();
    expect(t.store.logs.count(run.id)).toBe(MAX_LOG_LINES);
  });
});
