/**
 * `ffr study` end to end: real processes, real trainers, a real SQLite file; tiny synthetic data and
 * an MLP on the CPU backend. Includes the crash: the CLI killed with -9 mid-study, then resumed.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { StudyReport } from '../shared/study';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-study-cli-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

function ffrIn(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'ffr.js'), ...args], {
    cwd: root,
    env: { ...process.env, FFR_HOME: home, FFR_WASM_THREADS: '1' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tiny = ['--model', 'mlp', '--width', '0.5', '--dataset', 'synthetic', '--image-shape', '8x8x1', '--classes', '3', '--train-size', '120', '--test-size', '48', '--backend', 'cpu', '--lr', '0.05'];

function count(home: string, table: string): number {
  const file = path.join(home, 'ffr.sqlite');
  if (!fs.existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('ffr study', () => {
  it('runs a grid: each cell trained, pruned on validation by the rule, fine-tuned; its runs are ordinary runs; exports CSV and Markdown', () => {
    const home = path.join(base, 'one');
    const r = ffrIn(home, 'study', 'run', ...tiny, '--epochs', '2', '--regularizers', 'ffr=0.1;none', '--seeds', '1', '--prune', 'knee=0.02', '--finetune-epochs', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as StudyReport;
    expect(report.status).toBe('completed');
    expect(report.points.map((p) => [p.regularizer, p.lambda, p.seed, p.state])).toEqual([
      ['ffr', 0.1, 1, 'done'],
      ['none', null, 1, 'done'],
    ]);
    for (const p of report.points) {
      expect(p.pruned!.macs).toBeLessThanOrEqual(p.macs!);
      expect(typeof p.pruned!.valAccuracy).toBe('number');
      expect(typeof p.finetuned!.testAccuracy).toBe('number');
      // knee: the threshold was chosen from a sweep of the run on its validation set.
      expect(p.pruned!.threshold).not.toBeNull();
    }
    expect(report.groups.map((g) => [g.regularizer, g.lambda, g.n, g.selected])).toEqual([
      ['ffr', 0.1, 1, true],
      ['none', null, 1, true],
    ]);
    // Each cell's trained run and its fine-tune are in the normal run list; its sweeps are stored with it.
    const runs = JSON.parse(ffrIn(home, 'runs', 'list', '--json').stdout) as { runs: Array<{ id: string; kind: string }> };
    expect(runs.runs.map((x) => x.id).sort()).toEqual(report.points.flatMap((p) => [p.runId!, p.finetuneRunId!]).sort());
    expect(count(home, 'sweeps')).toBe(2);

    const csv = path.join(base, 'one.csv');
    const md = path.join(base, 'one.md');
    expect(ffrIn(home, 'study', 'export', report.studyId, '--format', 'csv', '--out', csv).code).toBe(0);
    expect(ffrIn(home, 'study', 'export', report.studyId, '--format', 'md', '--out', md).code).toBe(0);
    expect(fs.readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(fs.readFileSync(md, 'utf8')).toMatch(/\| ffr \| 0\.1 \| 1 \|/);
    const list = JSON.parse(ffrIn(home, 'study', 'list', '--json').stdout) as { studies: Array<{ studyId: string; status: string }> };
    expect(list.studies).toEqual([expect.objectContaining({ studyId: report.studyId, status: 'completed' })]);
  }, 300_000);

  it('refuses a bad study with one sentence and writes nothing', () => {
    const home = path.join(base, 'bad');
    const cases: Array<[string[], RegExp]> = [
      [['--regularizers', 'ffr=0.1;dropout=1', '--seeds', '1', '--prune', 'macs=0.5'], /^ffr: --regularizers entry "dropout=1": "dropout" is not a regularizer/],
      [['--regularizers', 'ffr=0.1', '--seeds', '1,x', '--prune', 'macs=0.5'], /^ffr: --seeds must be whole numbers/],
      [['--regularizers', 'ffr=0.1', '--seeds', '1', '--prune', 'ratio=0.5'], /^ffr: --prune must be threshold=T, knee=D or macs=F/],
      [['--regularizers', 'ffr=0.1', '--seeds', '1', '--prune', 'macs=0.5', '--regularizer', 'l1'], /^ffr: --regularizer does not apply to a study: give it with --regularizers\.$/],
      [['--regularizers', 'slimming=200', '--seeds', '1', '--prune', 'macs=0.5'], /weight "200" is not a number from 0 to 100/],
    ];
    for (const [args, message] of cases) {
      const r = ffrIn(home, 'study', 'run', ...tiny, ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
    // A config the data refuses (validated for every cell before the study exists).
    const r = ffrIn(home, 'study', 'run', '--model', 'lenet5', '--dataset', 'synthetic', '--image-shape', '4x4x1', '--regularizers', 'none', '--seeds', '1', '--prune', 'macs=0.5');
    expect(r.code).toBe(1);
    expect(count(home, 'studies')).toBe(0);
    expect(count(home, 'runs')).toBe(0);
    expect(ffrIn(home, 'study', 'show', 'stu-nope00').stderr.trim()).toBe('ffr: There is no study "stu-nope00".');
  }, 300_000);

  it('a cell that cannot reach the MACs budget fails with the reason instead of being compared at another budget', () => {
    const home = path.join(base, 'budget');
    // Every layer keeps a channel: 0.1 % of the MACs is out of reach.
    const r = ffrIn(home, 'study', 'run', ...tiny, '--epochs', '1', '--regularizers', 'none', '--seeds', '1', '--prune', 'macs=0.001', '--finetune-epochs', '0', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as StudyReport;
    expect(report.status).toBe('failed');
    expect(report.points[0]!.state).toBe('failed');
    expect(report.points[0]!.error).toMatch(/^Run run-\w+ cannot be pruned to 0\.1 % of its MACs by spread importance: even a global ratio of 0\.95 keeps \d+ %/);
    expect(report.error).toMatch(/^1 of the study's 1 cells failed/);
  }, 300_000);

  it('a study whose host is killed with -9 mid-run is interrupted, and `study resume` finishes it without training an epoch twice', async () => {
    const home = path.join(base, 'crash');
    const child = spawn(
      process.execPath,
      [path.join(root, 'bin', 'ffr.js'), 'study', 'run', ...tiny, '--train-size', '600', '--epochs', '4', '--regularizers', 'none', '--seeds', '1,2', '--prune', 'macs=0.6', '--finetune-epochs', '1', '--json'],
      { cwd: root, env: { ...process.env, FFR_HOME: home, FFR_WASM_THREADS: '1' }, stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Wait until the first cell's run has recorded an epoch, then kill the host.
    const file = path.join(home, 'ffr.sqlite');
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('the first epoch never arrived');
      // The file exists before its tables do (the CLI is still migrating it): not yet.
      const epochs = fs.existsSync(file) ? (() => { try { return count(home, 'metrics'); } catch { return 0; } })() : 0;
      if (epochs >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await exited;
    const { studies } = JSON.parse(ffrIn(home, 'study', 'list', '--json').stdout) as { studies: Array<{ studyId: string; status: string }> };
    expect(studies).toHaveLength(1);
    expect(studies[0]!.status).toBe('interrupted');
    // The trainer notices its host is gone within a moment; then the run can be resumed.
    await new Promise((r) => setTimeout(r, 1500));
    const r = ffrIn(home, 'study', 'resume', studies[0]!.studyId, '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as StudyReport;
    expect(report.status).toBe('completed');
    expect(report.points.map((p) => p.state)).toEqual(['done', 'done']);
    const first = JSON.parse(ffrIn(home, 'runs', 'show', report.points[0]!.runId!, '--json').stdout) as { metrics: Array<{ epoch: number }> };
    expect(first.metrics.map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
    expect(count(home, 'runs')).toBe(4);
  }, 300_000);
});
