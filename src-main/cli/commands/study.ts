/**
 * `ffr study run|resume|list|show|export`: a grid regularizer × λ × seed over one base config, each
 * run trained, pruned by one rule and fine-tuned (services/studies.ts; docs/cli.md, docs/ffr.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../services/app';
import type { StudyProgress } from '../../services/studies';
import { parseGrid, parsePruneRule, type StudyReport } from '../../shared/study';
import { PRUNE_CRITERIA } from '../../shared/prune-types';
import { choiceOption, numberOption } from '../options';
import { formatCount, formatPercent, info, printJson, table } from '../output';
import { addExecutorOptions, executionFromFlags, type ExecutorFlags } from './executor-options';
import { addTrainOptions, configFromFlags, type TrainFlags } from './train';

interface StudyFlags extends TrainFlags, ExecutorFlags {
  regularizers: string;
  seeds: string;
  prune: string;
  finetuneEpochs: number;
  criterion?: string;
}

/** Flags of `ffr train` that the grid sets per run, refused here with the flag that does it. */
const GRID_FLAGS: Array<[keyof TrainFlags, string, string]> = [
  ['regularizer', '--regularizer', '--regularizers'],
  ['lambda', '--lambda', '--regularizers (e.g. slimming=0.03)'],
  ['lambdaLength', '--lambda-length', '--regularizers (e.g. ffr=0.3,0.5)'],
  ['seed', '--seed', '--seeds'],
];

function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 2 ** 31 - 1)) {
    throw new Error(`--seeds must be whole numbers separated by commas, e.g. 1,2, got "${text}".`);
  }
  return seeds;
}

/** Progress on stderr: one line whenever a cell moves on, and the trainer's epochs. */
function follow(app: App, studyId: string): () => void {
  const onProgress = (p: StudyProgress): void => {
    if (p.studyId !== studyId || !p.point) return;
    info(`study ${studyId}: cell ${p.point.index + 1}/${p.total} ${p.point.state}${p.point.runId ? ` (run ${p.point.runId})` : ''}; ${p.done} done${p.failed ? `, ${p.failed} failed` : ''}`);
  };
  const onEpoch = (e: { runId: string; metrics: { epoch: number; valAccuracy: number | null; testAccuracy: number } }): void => {
    info(`  run ${e.runId}: epoch ${e.metrics.epoch} val ${formatPercent(e.metrics.valAccuracy, 2)} test ${formatPercent(e.metrics.testAccuracy, 2)}`);
  };
  // A Slurm study's runs: each job's state as it changes (submitted, pending with its reason, running, its end).
  const slurmStates = new Map<string, string>();
  const onSlurm = (e: { runId: string; job: { jobId: string; state: string; reason: string | null } }): void => {
    if (slurmStates.get(e.runId) === e.job.state) return;
    slurmStates.set(e.runId, e.job.state);
    info(`  run ${e.runId}: Slurm job ${e.job.jobId} ${e.job.state}${e.job.reason && e.job.reason !== 'None' ? ` (${e.job.reason})` : ''}`);
  };
  const onSigint = (): void => {
    info('\nCancelling the study (resume it with `ffr study resume`)…');
    app.studies.cancel(studyId);
  };
  app.studies.on('progress', onProgress);
  app.jobs.on('run-epoch', onEpoch);
  app.jobs.on('run-slurm', onSlurm);
  process.on('SIGINT', onSigint);
  return () => {
    app.studies.off('progress', onProgress);
    app.jobs.off('run-epoch', onEpoch);
    app.jobs.off('run-slurm', onSlurm);
    process.off('SIGINT', onSigint);
  };
}

function printReport(r: StudyReport): void {
  info(`Study ${r.studyId} ${r.status}: ${r.progress.done}/${r.progress.total} cells done${r.progress.failed ? `, ${r.progress.failed} failed` : ''}${r.error ? ` (${r.error})` : ''}`);
  const pm = (m: number | null | undefined, s: number | null | undefined): string =>
    m === null || m === undefined ? '—' : `${formatPercent(m, 2)}${s === null || s === undefined ? '' : ` ± ${(s * 100).toFixed(2)}`}`;
  info(
    table(
      ['regularizer', 'λ', 'n', 'MACs kept', 'val (final)', 'test unpruned', 'test pruned', 'test fine-tuned', 'chosen'],
      r.groups.map((g) => [
        g.label,
        g.lambda === null ? '—' : String(g.lambda),
        String(g.n),
        pm(g.mean.macsKept, null),
        pm(g.mean.finalValAccuracy, g.std.finalValAccuracy),
        pm(g.mean.testAccuracy, g.std.testAccuracy),
        pm(g.mean.prunedTestAccuracy, g.std.prunedTestAccuracy),
        pm(g.mean.finetunedTestAccuracy, g.std.finetunedTestAccuracy),
        g.selected ? 'λ by val' : '',
      ]),
    ),
  );
  const failed = r.points.filter((p) => p.state === 'failed');
  for (const p of failed.slice(0, 5)) info(`  cell ${p.index} (${p.label} λ ${p.lambda ?? '—'} seed ${p.seed}) failed: ${p.error}`);
}

/** Runs or resumes a study to its end with progress; the exit code says how it ended. */
async function drive(app: App, studyId: string, work: () => Promise<StudyReport>, json: boolean | undefined): Promise<void> {
  const stop = follow(app, studyId);
  let report: StudyReport;
  try {
    report = await work();
  } finally {
    stop();
  }
  if (json) printJson(report);
  else printReport(report);
  if (report.status === 'cancelled' || report.status === 'interrupted') process.exitCode = 130;
  else if (report.status === 'failed') process.exitCode = 1;
}

export function registerStudy(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  const study = program.command('study').description('studies: a grid regularizer × λ × seed, each run trained, pruned by one rule and fine-tuned');

  addExecutorOptions(addTrainOptions(
    study
      .command('run')
      .description('create and run a study; the train flags are the base config of every run')
      .requiredOption('--regularizers <grid>', 'grid, e.g. "ffr=0.3,0.5;ffr/index-pad=0.4;slimming=0.03;none"')
      .requiredOption('--seeds <list>', 'seeds, e.g. 1,2')
      .requiredOption('--prune <rule>', 'threshold=T (as given), knee=D (the largest threshold within D of the unpruned validation accuracy) or macs=F (≤ F of the MACs)')
      .option('--finetune-epochs <n>', 'fine-tune epochs after pruning (0: none)', numberOption('--finetune-epochs', { integer: true, min: 0, max: 10000 }), 1)
      .option('--criterion <name>', `importance for every run (default: each regularizer's own; ${PRUNE_CRITERIA.join(', ')})`, choiceOption('--criterion', PRUNE_CRITERIA)),
  ), 'local').action((o: StudyFlags, cmd: Command) =>
    withApp(async (app) => {
      for (const [key, flag, instead] of GRID_FLAGS) {
        if (cmd.getOptionValueSource(key) === 'cli') throw new Error(`${flag} does not apply to a study: give it with ${instead}.`);
      }
      const grid = parseGrid(o.regularizers);
      const seeds = parseSeeds(o.seeds);
      const rule = parsePruneRule(o.prune);
      const execution = executionFromFlags(o, 'local');
      // The base config: the train flags without what the grid sets per run.
      const { regularizer: _r, seed: _s, lambda: _l, ...base } = configFromFlags({ ...o, regularizer: 'ffr' });
      const created = await app.studies.create({
        ...(o.project ? { projectName: o.project } : {}),
        ...(o.name ? { name: o.name } : {}),
        base,
        grid,
        seeds,
        prune: rule,
        finetuneEpochs: o.finetuneEpochs,
        criterion: o.criterion ?? null,
        ...(execution.executor ? { executor: execution.executor } : {}),
        ...(execution.slurm ? { slurm: execution.slurm } : {}),
      });
      info(`Study ${created.id}: ${app.studies.report(created.id).progress.total} cells${created.executor === 'slurm' ? ', each run a Slurm job' : ''}`);
      await drive(app, created.id, () => app.studies.run(created.id), o.json);
    }),
  );

  addExecutorOptions(
    study
      .command('resume <study>')
      .description('continue a study that stopped (host killed, cancelled, a cell failed); the executor flags move its remaining runs')
      .option('--json', 'print one JSON document'),
  ).action((studyId: string, o: { json?: boolean } & ExecutorFlags) =>
      withApp(async (app) => {
        const execution = executionFromFlags(o, app.studies.report(studyId).executor);
        const started = app.studies.resume(studyId, execution);
        await drive(app, studyId, () => started, o.json);
      }),
    );

  study
    .command('list')
    .description('studies, newest first')
    .option('--json', 'print one JSON document')
    .action((o: { json?: boolean }) =>
      withApp(async (app) => {
        const list = app.studies.list();
        if (o.json) return printJson({ studies: list.map(({ points: _p, groups: _g, ...s }) => s) });
        info(table(['study', 'status', 'cells', 'name', 'created'], list.map((s) => [s.studyId, s.status, `${s.progress.done}/${s.progress.total}`, s.name, s.createdAt])));
      }),
    );

  study
    .command('show <study>')
    .description('a study: every cell and the groups (mean ± std over seeds)')
    .option('--json', 'print one JSON document')
    .action((studyId: string, o: { json?: boolean }) =>
      withApp(async (app) => {
        const r = app.studies.report(studyId);
        if (o.json) return printJson(r);
        printReport(r);
        info(
          table(
            ['cell', 'regularizer', 'λ', 'seed', 'state', 'run', 'MACs', 'pruned MACs', 'test', 'fine-tuned test', 'pareto'],
            r.points.map((p) => [
              String(p.index),
              p.label,
              p.lambda === null ? '—' : String(p.lambda),
              String(p.seed),
              p.state,
              p.runId ?? '—',
              formatCount(p.macs),
              formatCount(p.pruned?.macs),
              formatPercent(p.testAccuracy, 2),
              formatPercent(p.finetuned?.testAccuracy, 2),
              p.pareto ? '✓' : '',
            ]),
          ),
        );
      }),
    );

  study
    .command('export <study>')
    .description('a study as CSV (every cell) or Markdown (the λ chosen on validation, every group)')
    .requiredOption('--format <format>', 'csv or md', choiceOption('--format', ['csv', 'md'] as const))
    .requiredOption('--out <file>', 'file to write (replaced if it exists)')
    .action((studyId: string, o: { format: 'csv' | 'md'; out: string }) =>
      withApp(async (app) => {
        const text = app.studies.export(studyId, o.format);
        const out = path.resolve(o.out);
        if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new Error(`--out ${out} is a folder; give a file name.`);
        // Written beside and renamed into place: never a half-written file under the final name.
        const tmp = `${out}.tmp-${process.pid}`;
        try {
          fs.writeFileSync(tmp, text);
          fs.renameSync(tmp, out);
        } catch (e) {
          fs.rmSync(tmp, { force: true });
          throw new Error(`Could not write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
        }
        info(`Study ${studyId} written to ${out}`);
      }),
    );
}
