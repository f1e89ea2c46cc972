/**
 * The Slurm executor from the command line, on a real cluster (skipped, saying why, where Slurm
 * is not installed or configured): `ffr train --executor slurm --json`, `ffr runs cancel` from a
 * second process (of a Slurm job, and of a local run another host trains), `ffr slurm settings`, and refusals of bad Slurm flags before any row exists.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ffr, peek, startFfr, tempHome, tinyTrainFlags } from '../faults/harness';
import { slurmReport, slurmSkipReason, until } from '../services/slurm/testing/cluster';

const skip = slurmSkipReason();
const homes: string[] = [];
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});
function home(): string {
  const h = tempHome('ffr-slurm-cli-');
  homes.push(h);
  return h;
}
const fast = { FFR_SLURM_POLL_MS: '200', FFR_SLURM_STATE_POLL_MS: '500' };

/** The id of the running run, once there is one (the database may not exist or be migrated yet). */
function runningRun(h: string): string | undefined {
  if (!fs.existsSync(`${h}/ffr.sqlite`)) return undefined;
  try {
    return peek(h, (db) => db.prepare<[], { id: string }>(`SELECT id FROM runs WHERE status = 'running'`).get()?.id);
  } catch {
    return undefined; // being created by the other process
  }
}

describe('Slurm flags without a cluster', () => {
  it('refuses bad Slurm settings and Slurm flags without --executor slurm in one sentence, before any run is written', () => {
    const h = home();
    const badTime = ffr(h, [...tinyTrainFlags({ epochs: 1 }), '--executor', 'slurm', '--slurm-time', 'soon']);
    expect([badTime.code, badTime.stderr.trim()]).toEqual([1, 'ffr: Slurm setting time: must be a Slurm time limit such as 30, 2:00:00 or 1-12:00:00.']);
    const badArgs = ffr(h, [...tinyTrainFlags({ epochs: 1 }), '--executor', 'slurm', '--slurm-args', '--qos=x && reboot']);
    expect(badArgs.stderr.trim()).toBe('ffr: --slurm-args cannot contain the shell operator "&&": give sbatch options only (e.g. --qos=high --account=proj).');
    const local = ffr(h, [...tinyTrainFlags({ epochs: 1 }), '--slurm-gpus', '1']);
    expect([local.code, local.stderr.trim()]).toEqual([1, 'ffr: --slurm-gpus applies to --executor slurm only.']);
    expect(peek(h, (db) => db.prepare('SELECT COUNT(*) AS n FROM runs').get())).toEqual({ n: 0 });
  }, 120_000);

  it('`ffr runs cancel` of a local run another process trains: the owning host cancels it within seconds', async () => {
    const h = home();
    const train = startFfr(h, [...tinyTrainFlags({ epochs: 200, trainSize: 1200 }), '--json']);
    const runId = await until('the run to start', () => runningRun(h), 120_000, 200);
    const asked = Date.now();
    const cancel = ffr(h, ['runs', 'cancel', runId, '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ runId, cancelled: true, status: 'cancelled', executor: 'local', slurmJobId: null });
    expect((await train.exited).code).toBe(130);
    expect(Date.now() - asked).toBeLessThan(30_000);
  }, 180_000);

  it('stores the defaults of Slurm jobs in the data directory, and clears one with an empty value', () => {
    const h = home();
    const set = ffr(h, ['slurm', 'settings', '--partition', 'gpu', '--time', '2:00:00', '--cpus', '4', '--job-root', '/shared/jobs', '--json']);
    expect(JSON.parse(set.stdout)).toEqual({ settings: { partition: 'gpu', time: '2:00:00', cpus: 4, jobRoot: '/shared/jobs' } });
    const cleared = ffr(h, ['slurm', 'settings', '--partition', '', '--json']);
    expect(JSON.parse(cleared.stdout)).toEqual({ settings: { time: '2:00:00', cpus: 4, jobRoot: '/shared/jobs' } });
    const bad = ffr(h, ['slurm', 'settings', '--job-root', 'relative/dir']);
    expect([bad.code, bad.stderr.trim()]).toEqual([1, 'ffr: Slurm setting jobRoot: must be an absolute path.']);
  }, 60_000);
});

describe.skipIf(skip !== null)(`ffr with --executor slurm${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('trains as a Slurm job: --json says executor and slurmJobId, and Slurm reports the job COMPLETED', () => {
    const h = home();
    const started = Date.now();
    const r = ffr(h, [...tinyTrainFlags({ epochs: 2 }), '--executor', 'slurm', '--json'], { env: fast });
    const seconds = (Date.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runId: string; status: string; executor: string; slurmJobId: string; slurmState: string; epochs: number };
    expect(out).toMatchObject({ status: 'completed', executor: 'slurm', slurmState: 'COMPLETED', epochs: 2 });
    expect(out.slurmJobId).toMatch(/^\d+$/);
    expect(slurmReport(out.slurmJobId)).toEqual({ state: 'COMPLETED', exitCode: '0:0' });
    expect(r.stderr).toContain(`Slurm job ${out.slurmJobId} RUNNING`);
    const list = JSON.parse(ffr(h, ['runs', 'list', '--json']).stdout) as { runs: Array<{ executor: string; slurmJob: { jobId: string } }> };
    expect(list.runs[0]).toMatchObject({ executor: 'slurm', slurmJob: { jobId: out.slurmJobId } });
    console.log(`ffr train --executor slurm, 2 tiny epochs: ${seconds.toFixed(1)} s`);
  }, 180_000);

  it('`ffr runs cancel` from another process cancels the job (scancel); the training command ends with 130', async () => {
    const h = home();
    const train = startFfr(h, [...tinyTrainFlags({ epochs: 60, trainSize: 1200 }), '--executor', 'slurm', '--json'], fast);
    const runId = await until('the run to start', () => runningRun(h), 120_000, 200);
    const cancel = ffr(h, ['runs', 'cancel', runId, '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    const answer = JSON.parse(cancel.stdout) as { slurmState: string };
    expect(answer).toMatchObject({ runId, cancelled: true, status: 'cancelled', executor: 'slurm' });
    // It waited for the job's end to be recorded too: scancel'd, or ended by the cancel file first.
    expect(['CANCELLED', 'COMPLETED']).toContain(answer.slurmState);
    expect((await train.exited).code).toBe(130);
    const job = peek(h, (db) => db.prepare<[string], { job_id: string; state: string }>('SELECT job_id, state FROM slurm_jobs WHERE run_id = ?').get(runId))!;
    expect(job.state).toBe(answer.slurmState);
    const again = ffr(h, ['runs', 'cancel', runId]);
    expect([again.code, again.stderr.trim()]).toEqual([1, `ffr: Run ${runId} is cancelled; only a queued or running run can be cancelled.`]);
  }, 180_000);
});
