/** `ffr runs list|show|compare|resume|cancel|delete`. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { runHistoryCsv } from '../../services/run-export';
import { choiceOption } from '../options';
import type { App } from '../../services/app';
import { info, printJson, table } from '../output';
import { isActiveStatus } from '../../shared/metrics';
import { addExecutorOptions, executionFromFlags, type ExecutorFlags } from './executor-options';
import { formatCompare, formatRunShow } from './run-text';
import { followRun } from './train';

/**
 * Waits until the run's end is recorded (by whichever process follows it), and for a Slurm run its
 * job's end too, at most `ms`.
 */
async function waitForEnd(app: App, runId: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  const ended = (): boolean => {
    const run = app.store.runs.require(runId);
    return !isActiveStatus(run.status) && (run.slurmJob === null || run.slurmJob.endedAt !== null);
  };
  while (Date.now() < until && !ended()) await new Promise((r) => setTimeout(r, 250));
}

export function registerRuns(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  const runs = program.command('runs').description('recorded runs');

  runs
    .command('list')
    .description('all runs, newest first')
    .option('--project <name>', 'only this project')
    .option('--json', 'print one JSON document')
    .action((o: { project?: string; json?: boolean }) =>
      withApp(async (app) => {
        let projectId: string | undefined;
        if (o.project) {
          const p = app.store.projects.findByName(o.project);
          if (!p) throw new Error(`There is no project named "${o.project}".`);
          projectId = p.id;
        }
        const list = app.runs.list(projectId ? { projectId } : {});
        if (o.json) return printJson({ runs: list });
        info(
          table(
            ['run', 'name', 'status', 'model', 'dataset', 'regularizer', 'epochs', 'created'],
            list.map((r) => [r.id, r.name, r.status, r.config.model, r.config.dataset.name, r.config.regularizer, `${r.epochsDone}/${r.config.epochs}`, r.createdAt]),
          ),
        );
      }),
    );

  runs
    .command('show <run>')
    .description('status, config, per-epoch metrics and per-layer sparsity of a run (--json: every epoch\'s snapshots and the step scalars)')
    .option('--json', 'print one JSON document')
    .action((id: string, o: { json?: boolean }) =>
      withApp(async (app) => {
        if (o.json) return printJson(app.runs.full(id));
        const d = app.runs.show(id);
        const last = d.metrics.at(-1);
        const lastSnapshots = last ? app.store.snapshots.list(id, { epoch: last.epoch }) : [];
        info(formatRunShow({ run: d.run, metrics: d.metrics, lastSnapshots, summary: app.runs.summary(id) }));
      }),
    );

  runs
    .command('export <run>')
    .description('write a run\'s history to a file: csv (one row per recorded step, epoch metrics on each epoch\'s last step) or json (everything, as runs show --json)')
    .requiredOption('--format <format>', 'csv or json', choiceOption('--format', ['csv', 'json'] as const))
    .requiredOption('--out <file>', 'the file to write')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print {runId, format, file, rows} as one JSON document')
    .action((id: string, o: { format: 'csv' | 'json'; out: string; force?: boolean; json?: boolean }) =>
      withApp(async (app) => {
        const file = path.resolve(o.out);
        if (!fs.existsSync(path.dirname(file))) throw new Error(`The folder ${path.dirname(file)} for --out does not exist.`);
        if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new Error(`--out ${file} is a folder; name a file.`);
        if (fs.existsSync(file) && !o.force) throw new Error(`${file} exists; pass --force to replace it.`);
        const full = app.runs.full(id);
        const text = o.format === 'json' ? `${JSON.stringify(full, null, 2)}\n` : runHistoryCsv(full);
        // Written beside and renamed: an interrupted export never leaves half a file under the name.
        const tmp = `${file}.${process.pid}.tmp`;
        try {
          fs.writeFileSync(tmp, text);
          fs.renameSync(tmp, file);
        } finally {
          fs.rmSync(tmp, { force: true });
        }
        const rows = o.format === 'csv' ? text.trimEnd().split('\n').length - 1 : full.steps.length;
        if (o.json) printJson({ runId: id, format: o.format, file, rows, steps: full.steps.length, epochs: full.metrics.length });
        else info(`Wrote ${file} (${o.format}: ${full.metrics.length} epochs, ${full.steps.length} step rows).`);
      }),
    );

  runs
    .command('compare <runs...>')
    .description('runs side by side: final metrics, sparsity per layer, config differences')
    .option('--json', 'print one JSON document')
    .action((ids: string[], o: { json?: boolean }) =>
      withApp(async (app) => {
        const c = app.runs.compare(ids);
        if (o.json) return printJson(c);
        info(formatCompare(c));
      }),
    );

  addExecutorOptions(
    runs
      .command('resume <run>')
      .description('continue an interrupted, cancelled or failed run from its last checkpoint (a run whose Slurm job still trains is followed again)')
      .option('--json', 'print one JSON document'),
  ).action((id: string, o: { json?: boolean } & ExecutorFlags) =>
      withApp(async (app) => {
        const execution = executionFromFlags(o, app.store.runs.executor(id));
        const outcome = await followRun(app, id, () => app.runs.resume(id, execution), id);
        const summary = app.runs.summary(id);
        if (o.json) printJson(summary);
        else info(`Run ${id} ${summary.status} after ${summary.epochs} epochs`);
        if (outcome.status === 'failed') throw new Error(`Run ${id} failed: ${outcome.error}`);
        if (outcome.status === 'interrupted') throw new Error(`Run ${id} was interrupted: ${outcome.error ?? 'it stopped before it finished'}`);
      }),
    );

  runs
    .command('cancel <run>')
    .description('cancel a queued or running run, wherever it runs (scancel for a Slurm job)')
    .option('--json', 'print one JSON document')
    .action((id: string, o: { json?: boolean }) =>
      withApp(async (app) => {
        const cancelled = app.runs.cancel(id);
        if (!cancelled) throw new Error(`Run ${id} is ${app.store.runs.require(id).status}; only a queued or running run can be cancelled.`);
        // Whoever follows the run (this process, for a Slurm job no host followed) records its end.
        await waitForEnd(app, id, 90_000);
        const summary = app.runs.summary(id);
        if (o.json) printJson({ runId: id, cancelled, status: summary.status, executor: summary.executor, slurmJobId: summary.slurmJobId, slurmState: summary.slurmState });
        else info(`Run ${id} ${summary.status}${summary.slurmJobId ? ` (Slurm job ${summary.slurmJobId} ${summary.slurmState ?? ''})` : ''}`);
      }),
    );

  runs
    .command('delete <run>')
    .description('delete a run, its fine-tunes and their files')
    .option('--json', 'print one JSON document')
    .action((id: string, o: { json?: boolean }) =>
      withApp(async (app) => {
        const r = app.runs.delete(id);
        if (o.json) printJson(r);
        else info(`Deleted ${r.runIds.join(', ')}`);
      }),
    );
}
