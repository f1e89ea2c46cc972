/**
 * The Slurm executor end to end on a real cluster (the single-node one .ci/run starts with
 * scripts/slurm/local-cluster.sh): real sbatch jobs running real trainers headless, whose messages
 * the host ingests from their job folders. A completed run records what a local run of the same
 * seed records; a cancelled job's run is `cancelled` and resumes as a new job from its checkpoint;
 * a failing job's run is `failed` with the exit code and the output; a host that stops while a job
 * trains lets it go, and the next host picks it up and records the rest, each epoch once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../shared/metrics';
import { createApp, type App } from '../app';
import { tempPaths, tinyConfig } from '../testing/host';
import type { HomePaths } from '../home';
import { slurmReport, slurmSkipReason, until } from './testing/cluster';

const skip = slurmSkipReason();
const fast = { pollMs: 100, statePollMs: 500 };
const opened: Array<{ app: App; paths: HomePaths }> = [];

function open(paths = tempPaths('ffr-slurm-'), o: { pickUpSlurmJobs?: boolean } = {}): App {
  const app = createApp({ paths, slurm: fast, ...o });
  opened.push({ app, paths });
  return app;
}

afterEach(async () => {
  const homes = new Set<string>();
  for (const { app, paths } of opened.splice(0)) {
    await app.close();
    homes.add(paths.home);
  }
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

const withoutTime = (m: EpochMetrics[]) => m.map(({ seconds: _s, ...rest }) => rest);

describe.skipIf(skip !== null)(`Slurm executor on a real cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('runs a run as a Slurm job and records exactly what a local run of the same seed records', async () => {
    const app = open();
    const config = tinyConfig({ epochs: 2, seed: 7 });
    const local = await app.runs.create({ config });
    const slurm = await app.runs.create({ config, executor: 'slurm' });
    expect((await app.runs.start(local.id)).status).toBe('completed');
    const started = Date.now();
    const outcome = await app.runs.start(slurm.id);
    expect(outcome).toEqual({ runId: slurm.id, status: 'completed', error: null });
    const seconds = (Date.now() - started) / 1000;
    const a = app.runs.show(local.id);
    const b = app.runs.show(slurm.id);
    expect(withoutTime(b.metrics)).toEqual(withoutTime(a.metrics));
    expect(b.snapshots).toEqual(a.snapshots);
    expect(b.run).toMatchObject({ status: 'completed', executor: 'slurm', backend: a.run.backend, epochsDone: 2, modelInfo: a.run.modelInfo });
    // Checkpoints are in the data directory, as for a local run (copied from the job folder).
    expect(b.checkpoints.map((c) => path.relative(app.paths.home, c.path))).toEqual([1, 2].map((e) => path.join('runs', slurm.id, 'checkpoints', `epoch-000${e}.ffrm`)));
    for (const c of b.checkpoints) expect(fs.statSync(c.path).size).toBe(c.bytes);
    const first = b.run.slurmJob!;
    expect(first).toMatchObject({ attempt: 1, state: 'COMPLETED', exitCode: 0, signal: 0 });
    expect(slurmReport(first.jobId)).toEqual({ state: 'COMPLETED', exitCode: '0:0' });
    expect(app.runs.summary(slurm.id)).toMatchObject({ executor: 'slurm', slurmJobId: first.jobId, slurmState: 'COMPLETED' });
    expect(app.store.runLocks.holder(slurm.id)).toBeNull();
    console.log(`Slurm run of 2 tiny epochs: ${seconds.toFixed(1)} s from sbatch to recorded end`);

    // Its pruned model's fine-tune trains where it trained: as a Slurm job, from the pruned model.
    const { child } = await app.prunes.prune(slurm.id, { selection: { criterion: 'l2', scope: 'layer', ratio: 0.5, aggregate: 'max', minChannels: 1 }, finetuneEpochs: 1 });
    expect(child).toMatchObject({ executor: 'slurm', kind: 'finetune' });
    expect(await app.runs.start(child!.id)).toMatchObject({ status: 'completed' });
    const finetune = app.store.runs.require(child!.id);
    expect(finetune.slurmJob).toMatchObject({ attempt: 1, state: 'COMPLETED' });
    const job = JSON.parse(fs.readFileSync(path.join(finetune.slurmJob!.jobDir, 'job.json'), 'utf8')) as { start: { from: string } };
    expect(job.start.from).toBe('model');
    expect(finetune.modelInfo!.params).toBeLessThan(b.run.modelInfo!.params);
  }, 180_000);

  it('cancels a running job (scancel), and resumes the run as a new job from its last checkpoint', async () => {
    const app = open();
    const run = await app.runs.create({ config: tinyConfig({ epochs: 40, dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 1500, testSize: 32 } }), executor: 'slurm' });
    const done = app.runs.start(run.id);
    await until('epoch 1 to be recorded', () => app.store.metrics.list(run.id).length >= 1);
    expect(app.runs.cancel(run.id)).toBe(true);
    expect((await done).status).toBe('cancelled');
    const first = app.store.runs.require(run.id);
    expect(first.status).toBe('cancelled');
    expect(['CANCELLED', 'COMPLETED']).toContain(first.slurmJob!.state);
    expect(['CANCELLED', 'COMPLETED']).toContain(slurmReport(first.slurmJob!.jobId)!.state);
    const kept = app.store.checkpoints.list(run.id).at(-1)!.epoch;

    // Resume with a shorter run: the new job starts from the checkpoint of epoch `kept`.
    const events: string[] = [];
    app.jobs.on('log', (l) => {
      if (l.runId === run.id) events.push(l.message);
    });
    const resumed = app.runs.resume(run.id, { slurm: { time: '10:00' } });
    await until('the second job to run', () => app.store.runs.require(run.id).slurmJob?.attempt === 2);
    expect(app.store.runs.require(run.id).slurmJob!.jobId).not.toBe(first.slurmJob!.jobId);
    await until('an epoch after the checkpoint', () => app.store.metrics.list(run.id).length > kept);
    expect(app.runs.cancel(run.id)).toBe(true);
    expect((await resumed).status).toBe('cancelled');
    const epochs = app.store.metrics.list(run.id).map((m) => m.epoch);
    expect(epochs).toEqual(epochs.map((_, i) => i + 1)); // continuous, no epoch twice
    expect(app.store.slurmJobs.list(run.id).map((j) => [j.attempt, j.settings])).toEqual([
      [1, {}],
      [2, { time: '10:00' }],
    ]);
    // The second attempt started from the job folder's copy of the checkpoint.
    const job2 = JSON.parse(fs.readFileSync(path.join(app.store.runs.require(run.id).slurmJob!.jobDir, 'job.json'), 'utf8')) as { start: { from: string; path: string } };
    expect(job2.start.from).toBe('checkpoint');
    expect(path.basename(job2.start.path)).toBe('start.ffrm');
  }, 240_000);

  it('fails a run whose job fails, with the exit code and the last lines of its output', async () => {
    const app = open();
    // The trainer dies after recording epoch 1 (its crash hook, set by the job's setup line).
    const crashing = await app.runs.create({ config: tinyConfig({ epochs: 3 }), executor: 'slurm', slurm: { setup: 'export FFR_TRAINER_CRASH_AFTER_EPOCH=1' } });
    // A setup line that fails before the trainer starts.
    const broken = await app.runs.create({ config: tinyConfig({ epochs: 3 }), executor: 'slurm', slurm: { setup: 'echo "module load cuda/99: no such module"; exit 7' } });
    const [a, b] = await Promise.all([
      app.runs.start(crashing.id),
      app.runs.start(broken.id),
    ]);
    const ja = app.store.runs.require(crashing.id).slurmJob!;
    const jb = app.store.runs.require(broken.id).slurmJob!;
    expect(a).toMatchObject({ status: 'failed', error: expect.stringMatching(new RegExp(`^Slurm job ${ja.jobId} failed with exit code 3\\b`)) });
    expect(app.store.runs.require(crashing.id)).toMatchObject({ status: 'failed', epochsDone: 1 });
    expect(b).toEqual({ runId: broken.id, status: 'failed', error: `Slurm job ${jb.jobId} failed with exit code 7. Last lines of its output: module load cuda/99: no such module` });
    expect(slurmReport(ja.jobId)).toEqual({ state: 'FAILED', exitCode: '3:0' });
    expect(slurmReport(jb.jobId)).toEqual({ state: 'FAILED', exitCode: '7:0' });
    expect(ja).toMatchObject({ state: 'FAILED', exitCode: 3 });
    for (const id of [crashing.id, broken.id]) expect(app.store.runLocks.holder(id)).toBeNull();
  }, 180_000);

  it('a host that stops lets its job train on; the next host picks it up and records every epoch and log line once', async () => {
    const paths = tempPaths('ffr-slurm-restart-');
    const first = open(paths);
    const run = await first.runs.create({ config: tinyConfig({ epochs: 8, dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 800, testSize: 32 } }), executor: 'slurm' });
    void first.runs.start(run.id);
    await until('epoch 1 to be recorded', () => first.store.metrics.list(run.id).length >= 1);
    await first.close();
    opened.splice(opened.findIndex((o) => o.app === first), 1);

    // Nobody follows the job now: it stays in flight (not interrupted), its lock with the job.
    const between = open(paths);
    expect(between.store.recovered).toEqual([]);
    expect(between.store.runs.require(run.id).status).toBe('running');
    expect(between.store.runLocks.holder(run.id)).toMatchObject({ slurmJobId: between.store.runs.require(run.id).slurmJob!.jobId });
    // Ingestion must be idempotent: forget how far it had read, so the next host reads it all again.
    between.store.db.prepare('UPDATE slurm_jobs SET ingested_bytes = 0').run();
    await between.close();
    opened.splice(opened.findIndex((o) => o.app === between), 1);

    const second = open(paths, { pickUpSlurmJobs: true });
    const status = await until('the job\'s end to be recorded by the second host', () => {
      const r = second.store.runs.require(run.id);
      return r.slurmJob?.endedAt ? r.status : undefined;
    }, 180_000, 200);
    expect(status).toBe('completed');
    expect(second.store.metrics.list(run.id).map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(second.store.checkpoints.list(run.id)).toHaveLength(8);
    expect(second.store.runs.require(run.id).slurmJob).toMatchObject({ attempt: 1, state: 'COMPLETED' });
    expect(second.store.runLocks.holder(run.id)).toBeNull();
    // The log lines read from the job's messages are stored once, though every message was read twice.
    const messages = second.store.logs.list(run.id, { limit: 1000 }).map((l) => l.message);
    expect(messages.filter((m) => m.startsWith('Training on the')), JSON.stringify(messages)).toEqual(['Training on the cpu backend.']);
    expect(messages.filter((m) => m === 'Completed.'), JSON.stringify(messages)).toHaveLength(1);
    await second.close();
    opened.splice(opened.findIndex((o) => o.app === second), 1);

    // A host that stopped after recording the trainer's `done` but before Slurm said the job ended:
    // the next one reads `done` again and records the end as completed (not "no final message").
    const stale = open(paths);
    stale.store.db.prepare("UPDATE slurm_jobs SET ended_at = NULL, state = 'RUNNING'").run();
    await stale.close();
    opened.splice(opened.findIndex((o) => o.app === stale), 1);
    const third = open(paths, { pickUpSlurmJobs: true });
    await until('the job\'s end to be recorded by the third host', () => third.store.runs.require(run.id).slurmJob?.endedAt, 60_000, 200);
    expect(third.store.runs.require(run.id)).toMatchObject({ status: 'completed', error: null, slurmJob: { state: 'COMPLETED' } });
    const lines = third.store.logs.list(run.id, { limit: 1000 }).map((l) => l.message);
    expect(lines.filter((m) => m.startsWith('Failed')), JSON.stringify(lines)).toEqual([]);
    expect(lines.filter((m) => m === 'Completed.'), JSON.stringify(lines)).toHaveLength(1);
  }, 240_000);
});
