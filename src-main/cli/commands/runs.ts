/** `ffr runs list|show|compare|resume|cancel|delete`. */
import type { Command } from 'commander';
import type { App } from '../../services/app';
import { formatCount, formatPercent, info, printJson, table } from '../output';
import { isActiveStatus } from '../../shared/metrics';
import { addExecutorOptions, executionFromFlags, type ExecutorFlags } from './executor-options';
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
    .description('config, status, per-epoch metrics and layer snapshots of a run')
    .option('--json', 'print one JSON document')
    .action((id: string, o: { json?: boolean }) =>
      withApp(async (app) => {
        const d = app.runs.show(id);
        if (o.json) return printJson(d);
        info(`${d.run.id} "${d.run.name}" ${d.run.status}${d.run.error ? `: ${d.run.error}` : ''}`);
        info(table(['epoch', 'train loss', 'test acc', 'length', 'curvature', 'lr', 's'], d.metrics.map((m) => [String(m.epoch), m.trainLoss.toFixed(4), formatPercent(m.testAccuracy, 2), m.ffrLength.toFixed(3), m.ffrCurvature.toFixed(3), m.lr.toPrecision(3), m.seconds.toFixed(1)])));
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
        info(table(['run', 'regularizer', 'test acc', 'structured', 'params', 'MACs'], c.runs.map((r, i) => [r.runId, String(c.configs[i]!['regularizer']), formatPercent(r.final?.testAccuracy, 2), formatPercent(r.sparsity?.structured), formatCount(r.params), formatCount(r.macs)])));
        info('\nconfig differences:');
        for (const [k, v] of Object.entries(c.configDiff)) info(`  ${k}: ${v.map((x) => JSON.stringify(x)).join(' | ')}`);
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
