/**
 * Studies on Slurm from the command line, on a real cluster (the single-node one .ci/run starts;
 * skipped, saying why, where Slurm is not installed or configured). Issue 15's done criterion:
 * `ffr study run … --executor slurm --json` completes a 2-run study whose points carry Slurm job ids
 * that Slurm reports COMPLETED, with the metrics and snapshots a local run of the same seed records;
 * a cancelled job's run is `cancelled`, a failing job's run `failed` with its exit code, and
 * `ffr study resume` with other Slurm settings finishes both as new jobs.
 */
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ffr, peek, startFfr, tempHome, tinyTrainFlags } from '../faults/harness';
import { slurmReport, slurmSkipReason, until } from '../services/slurm/testing/cluster';
import type { RunDetails } from '../shared/contract';
import type { LogLine, StepScalars } from '../shared/metrics';
import type { StudyReport } from '../shared/study';

const skip = slurmSkipReason();
const homes: string[] = [];
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});
function home(): string {
  const h = tempHome('ffr-study-slurm-');
  homes.push(h);
  return h;
}
const fast = { FFR_SLURM_POLL_MS: '200', FFR_SLURM_STATE_POLL_MS: '500' };

/** The tiny train flags as a study's base config: the grid sets the regularizer, the seeds the seed. */
function studyFlags(epochs: number, trainSize?: number): string[] {
  const flags = tinyTrainFlags({ epochs, ...(trainSize ? { trainSize } : {}) }).slice(1);
  const at = flags.indexOf('--regularizer');
  flags.splice(at, 2);
  return ['study', 'run', ...flags, '--regularizers', 'none', '--prune', 'threshold=0', '--finetune-epochs', '0'];
}

function json<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what} did not print JSON: ${text.slice(0, 500)}`);
  }
}

type Shown = RunDetails & { steps: StepScalars[]; logs: LogLine[] };

function show(h: string, runId: string): Shown {
  const r = ffr(h, ['runs', 'show', runId, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return json<Shown>(r.stdout, 'ffr runs show');
}

/** Step scalars without what depends on the machine and the clock. */
const stepValues = (d: Shown) => d.steps.map(({ time: _t, stepMs: _s, rssBytes: _r, tensorBytes: _b, ...rest }) => rest);

const withoutTime = (d: Shown) => d.metrics.map(({ seconds: _s, ...rest }) => rest);

describe('ffr study run: Slurm flags without a cluster', () => {
  it('refuses bad Slurm settings, and Slurm flags without --executor slurm, in one sentence before any study or run is written', () => {
    const h = home();
    const badTime = ffr(h, [...studyFlags(1), '--seeds', '1', '--executor', 'slurm', '--slurm-time', 'soon']);
    expect([badTime.code, badTime.stderr.trim()]).toEqual([1, 'ffr: Slurm setting time: must be a Slurm time limit such as 30, 2:00:00 or 1-12:00:00.']);
    const local = ffr(h, [...studyFlags(1), '--seeds', '1', '--slurm-mem', '8G']);
    expect([local.code, local.stderr.trim()]).toEqual([1, 'ffr: --slurm-mem applies to --executor slurm only.']);
    expect(peek(h, (db) => db.prepare('SELECT (SELECT COUNT(*) FROM studies) AS studies, (SELECT COUNT(*) FROM runs) AS runs').get())).toEqual({ studies: 0, runs: 0 });
    const missing = ffr(h, ['study', 'resume', 'stu-nope', '--executor', 'slurm']);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'ffr: There is no study "stu-nope".']);
  }, 120_000);
});

describe.skipIf(skip !== null)(`ffr study run --executor slurm${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('completes a 2-run study as Slurm jobs that Slurm reports COMPLETED, recording what a local run of the same seed records', async () => {
    const h = home();
    const localHome = home();
    // The local run of seed 1 trains meanwhile, in a data directory of its own.
    const local = startFfr(localHome, [...tinyTrainFlags({ epochs: 2 }), '--seed', '1', '--json']);
    const started = Date.now();
    const study = startFfr(h, [...studyFlags(2), '--seeds', '1,2', '--executor', 'slurm', '--slurm-time', '10', '--json'], fast);
    const [studyExit, localExit] = await Promise.all([study.exited, local.exited]);
    const seconds = (Date.now() - started) / 1000;
    expect(studyExit.code, study.stderr()).toBe(0);
    expect(localExit.code, local.stderr()).toBe(0);
    const report = json<StudyReport>(study.stdout(), 'ffr study run');
    expect(report).toMatchObject({ status: 'completed', executor: 'slurm', slurm: { time: '10' }, progress: { done: 2, failed: 0, total: 2 } });
    expect(report.points.map((p) => [p.seed, p.state, p.executor, p.slurmState])).toEqual([
      [1, 'done', 'slurm', 'COMPLETED'],
      [2, 'done', 'slurm', 'COMPLETED'],
    ]);
    const jobIds = report.points.map((p) => p.slurmJobId!);
    for (const id of jobIds) {
      expect(id).toMatch(/^\d+$/);
      expect(slurmReport(id)).toEqual({ state: 'COMPLETED', exitCode: '0:0' });
    }
    expect(new Set(jobIds).size).toBe(2);
    // Both cells were in Slurm at once (one job per run, submitted together, not one after the other).
    const jobs = peek(h, (db) => db.prepare<[], { submitted_at: string; ended_at: string }>('SELECT submitted_at, ended_at FROM slurm_jobs').all());
    expect(jobs).toHaveLength(2);
    expect(jobs.map((j) => j.submitted_at).sort()[1]! < jobs.map((j) => j.ended_at).sort()[0]!).toBe(true);

    const localRun = json<{ runId: string }>(local.stdout(), 'ffr train');
    const a = show(localHome, localRun.runId);
    const b = show(h, report.points[0]!.runId!);
    expect(b.run.config).toEqual(a.run.config);
    expect(withoutTime(b)).toEqual(withoutTime(a));
    expect(b.snapshots).toEqual(a.snapshots);
    // The trainer's step scalars and log lines came through the job folder too.
    expect(a.steps.length).toBeGreaterThan(0);
    expect(stepValues(b)).toEqual(stepValues(a));
    expect(b.logs.map((l) => l.message)).toEqual(expect.arrayContaining(['Training on the cpu backend.', 'Completed.']));
    expect(b.run).toMatchObject({ status: 'completed', executor: 'slurm', epochsDone: 2, slurmJob: { jobId: jobIds[0], attempt: 1, state: 'COMPLETED', exitCode: 0 } });
    expect(b.checkpoints.map((c) => c.epoch)).toEqual([1, 2]);
    // The other seed trained something else.
    expect(withoutTime(show(h, report.points[1]!.runId!))).not.toEqual(withoutTime(a));
    console.log(`ffr study run --executor slurm, 2 cells of 2 tiny epochs (and a local run alongside): ${seconds.toFixed(1)} s`);
  }, 240_000);

  it('a cancelled job leaves its run cancelled, a failing one its run failed with the exit code; `study resume --slurm-setup ""` finishes both as new jobs', async () => {
    const h = home();
    // The setup lines, run on the node in the job folder, hold seed 11's job and fail seed 12's.
    const setup = [
      `if grep -Eq '"seed": 11\\b' job.json; then sleep 600; fi`,
      `if grep -Eq '"seed": 12\\b' job.json; then echo 'setup failed on purpose' >&2; exit 7; fi`,
    ].join('\n');
    const study = startFfr(h, [...studyFlags(1), '--seeds', '11,12', '--executor', 'slurm', '--slurm-setup', setup, '--json'], fast);
    // Seed 11's job runs (sleeping in its setup); cancel it as a user of the cluster would.
    const held = await until(
      "seed 11's job to run",
      () => {
        if (!fs.existsSync(`${h}/ffr.sqlite`)) return undefined;
        try {
          return peek(h, (db) =>
            db
              .prepare<[], { job_id: string }>(
                `SELECT j.job_id FROM slurm_jobs j JOIN study_points p ON p.run_id = j.run_id WHERE p.seed = 11 AND j.state = 'RUNNING'`,
              )
              .get(),
          )?.job_id;
        } catch {
          return undefined; // being created or migrated by the other process
        }
      },
      120_000,
      200,
    );
    const scancel = spawnSync('scancel', [held], { encoding: 'utf8', timeout: 30_000 });
    expect(scancel.status, scancel.stderr).toBe(0);
    const exit = await study.exited;
    expect(exit.code, study.stderr()).toBe(1);
    const report = json<StudyReport>(study.stdout(), 'ffr study run');
    expect(report).toMatchObject({ status: 'failed', progress: { done: 0, failed: 2, total: 2 } });
    const [cancelled, failed] = report.points;
    expect(cancelled).toMatchObject({ seed: 11, state: 'failed', executor: 'slurm', slurmJobId: held, slurmState: 'CANCELLED' });
    expect(failed).toMatchObject({ seed: 12, state: 'failed', executor: 'slurm', slurmState: 'FAILED' });
    expect(slurmReport(held)).toEqual({ state: 'CANCELLED', exitCode: '0:15' });
    expect(slurmReport(failed!.slurmJobId!)).toEqual({ state: 'FAILED', exitCode: '7:0' });
    const c = show(h, cancelled!.runId!).run;
    const f = show(h, failed!.runId!).run;
    expect(c.status).toBe('cancelled');
    expect(f.status).toBe('failed');
    expect(f.error).toContain(`Slurm job ${failed!.slurmJobId} failed with exit code 7`);
    expect(f.error).toContain('setup failed on purpose');
    expect(f.slurmJob).toMatchObject({ exitCode: 7, signal: 0 });

    // Resumed without the setup lines: both runs train again as new jobs (attempt 2) and the study completes.
    const resumed = ffr(h, ['study', 'resume', report.studyId, '--slurm-setup', '', '--json'], { env: fast });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = json<StudyReport>(resumed.stdout, 'ffr study resume');
    expect(after).toMatchObject({ status: 'completed', executor: 'slurm', progress: { done: 2, failed: 0 } });
    expect(after.slurm?.setup).toBeUndefined();
    for (const p of after.points) {
      expect(p).toMatchObject({ state: 'done', slurmState: 'COMPLETED' });
      expect([held, failed!.slurmJobId]).not.toContain(p.slurmJobId);
      expect(slurmReport(p.slurmJobId!)).toEqual({ state: 'COMPLETED', exitCode: '0:0' });
      expect(show(h, p.runId!).run.slurmJob).toMatchObject({ attempt: 2 });
    }
  }, 300_000);
  it('a study whose CLI is killed (-9) while its jobs train is finished by `ffr study resume`: each run follows its first job, every epoch and log line stored once', async () => {
    const h = home();
    const epochs = 6;
    const study = startFfr(h, [...studyFlags(epochs, 600), '--seeds', '21,22', '--executor', 'slurm', '--json'], fast);
    // Both jobs train (the trainer said `started`), and at least one epoch is recorded: kill the host.
    const before = await until(
      'both jobs to train',
      () => {
        if (!fs.existsSync(`${h}/ffr.sqlite`)) return undefined;
        try {
          const rows = peek(h, (db) =>
            db
              .prepare<[], { run_id: string; job_id: string; attempt: number; status: string; epochs: number }>(
                `SELECT j.run_id, j.job_id, j.attempt, r.status, (SELECT COUNT(*) FROM metrics m WHERE m.run_id = j.run_id) AS epochs
                 FROM slurm_jobs j JOIN runs r ON r.id = j.run_id WHERE j.state = 'RUNNING' ORDER BY j.run_id`,
              )
              .all(),
          );
          return rows.length === 2 && rows.every((r) => r.status === 'running') && rows.some((r) => r.epochs >= 1) ? rows : undefined;
        } catch {
          return undefined; // being created or migrated by the other process
        }
      },
      120_000,
      100,
    );
    study.child.kill('SIGKILL');
    expect((await study.exited).signal).toBe('SIGKILL');
    const studyId = peek(h, (db) => db.prepare('SELECT id FROM studies').pluck().get() as string);
    // The jobs train on without a host.
    for (const r of before) expect(slurmReport(r.job_id)!.state).toMatch(/^(RUNNING|COMPLETING|COMPLETED)$/);

    const resumed = ffr(h, ['study', 'resume', studyId, '--json'], { env: fast });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = json<StudyReport>(resumed.stdout, 'ffr study resume');
    expect(after).toMatchObject({ status: 'completed', executor: 'slurm', progress: { done: 2, failed: 0, total: 2 } });
    expect(after.points.map((p) => [p.seed, p.state, p.slurmState])).toEqual([
      [21, 'done', 'COMPLETED'],
      [22, 'done', 'COMPLETED'],
    ]);
    // Each run was trained exactly once: by the job submitted before the kill, attempt 1.
    expect(after.points.map((p) => [p.runId, p.slurmJobId]).sort()).toEqual(before.map((r) => [r.run_id, r.job_id]));
    for (const p of after.points) {
      expect(slurmReport(p.slurmJobId!)).toEqual({ state: 'COMPLETED', exitCode: '0:0' });
      const d = show(h, p.runId!);
      expect(d.run).toMatchObject({ status: 'completed', epochsDone: epochs, slurmJob: { jobId: p.slurmJobId, attempt: 1, state: 'COMPLETED', exitCode: 0 } });
      expect(peek(h, (db) => db.prepare('SELECT COUNT(*) FROM slurm_jobs WHERE run_id = ?').pluck().get(p.runId))).toBe(1);
      expect(d.metrics.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(d.checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(d.steps.map((s) => `${s.epoch}:${s.step}`)).size).toBe(d.steps.length);
      // The job's lines (its trainer's, and what the host says about its messages) are stored once
      // each, though the second host read the job's messages again from where the first stopped.
      const messages = d.logs.map((l) => l.message);
      expect(messages.filter((m) => m.startsWith('Training on the'))).toEqual(['Training on the cpu backend.']);
      expect(messages.filter((m) => m === 'Completed.')).toHaveLength(1);
      expect(messages.filter((m) => m.startsWith('Following Slurm job'))).toHaveLength(1);
      const once = messages.filter((m) => !m.startsWith('Run ') || !m.includes('goes on in Slurm'));
      expect(once, JSON.stringify(messages, null, 1)).toEqual([...new Set(once)]);
    }
  }, 300_000);
});
