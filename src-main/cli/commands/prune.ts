/** `ffr prune RUN` and `ffr prune sweep RUN`. */
import type { Command } from 'commander';
import { PRUNE_CRITERIA, PRUNE_SCOPES, type PruneCriterion, type PruneScope } from '../../shared/prune-types';
import type { PruneView } from '../../shared/contract';
import { DEFAULT_IMPORTANCE } from '../../shared/run-config';
import type { App } from '../../services/app';
import { choiceOption, listOption, numberOption } from '../options';
import { formatCount, formatPercent, info, printJson, table } from '../output';
import { followRun } from './train';

interface PruneFlags {
  threshold?: number;
  ratio?: number;
  criterion?: PruneCriterion;
  scope: PruneScope;
  minChannels?: number;
  aggregate: 'max' | 'mean';
  finetuneEpochs: number;
  finetuneLr?: number;
  json?: boolean;
}

interface SweepFlags {
  thresholds?: number[];
  ratios?: number[];
  criterion?: PruneCriterion;
  scope: PruneScope;
  minChannels: number;
  aggregate: 'max' | 'mean';
  valLimit: number;
  json?: boolean;
}

const CRITERION_HELP =
  `importance: ${PRUNE_CRITERIA.join(', ')} (default by the run's regularizer: ` +
  `${Object.entries(DEFAULT_IMPORTANCE).map(([r, c]) => `${r} → ${c}`).join(', ')})`;

function exactlyOne(a: unknown, b: unknown, names: [string, string]): void {
  if ((a === undefined) === (b === undefined)) throw new Error(`Give exactly one of ${names[0]} or ${names[1]}.`);
}

/** The JSON shape of `ffr prune` (issue 4). */
export function pruneJson(v: PruneView): Record<string, unknown> {
  return {
    pruneId: v.pruneId,
    sourceRunId: v.sourceRunId,
    childRunId: v.childRunId,
    params: v.params,
    macs: v.macs,
    accuracy: v.accuracy,
    layers: v.layers,
    modelPath: v.modelPath,
    // Why channels went together or stayed: the tied groups and any group kept for a reason.
    groups: v.report.groups,
    folded: v.report.folded,
  };
}

/** Prunes, then fine-tunes in the foreground when asked; returns the final view. */
export async function pruneAndFinetune(app: App, runId: string, options: unknown, title: string): Promise<PruneView> {
  const { prune, child } = await app.prunes.prune(runId, options, (m) => info(`${title}: ${m}`));
  if (child) {
    info(`${title}: fine-tuning as run ${child.id}`);
    const outcome = await followRun(app, child.id, app.runs.start(child.id), `${title} fine-tune`);
    if (outcome.status !== 'completed') {
      throw new Error(`Prune ${prune.id} was saved, but its fine-tune run ${child.id} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
    }
  }
  return app.prunes.view(prune.id);
}

export function registerPrune(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  // Commander only honours positional options on `prune` when its parent has them too; the root
  // command has no options of its own besides --version/--help, so this changes nothing else.
  program.enablePositionalOptions();
  const prune = program
    .command('prune')
    // `prune` and `prune sweep` share option names (--json, --criterion…): the parent's options are
    // only read before the subcommand's name, so `ffr prune sweep RUN --json` reaches the sweep.
    .enablePositionalOptions()
    .description('remove whole channels from a completed run (physically smaller model), optionally fine-tune it')
    .argument('<run>', 'id of a completed run')
    .option('--threshold <t>', 'remove channel groups whose normalized importance is at most t', numberOption('--threshold', { min: 0 }))
    // Range checked by the prune service, so the refusal is one sentence however the request arrives.
    .option('--ratio <r>', 'remove this share of channels (0..1)', numberOption('--ratio'))
    .option('--criterion <name>', CRITERION_HELP, choiceOption('--criterion', PRUNE_CRITERIA))
    .option('--scope <name>', 'normalize and rank per layer or over the whole model', choiceOption('--scope', PRUNE_SCOPES), 'layer')
    .option('--min-channels <k>', 'keep at least k channels per layer (default: refuse to empty a layer)', numberOption('--min-channels', { integer: true, min: 1 }))
    .option('--aggregate <how>', 'group importance from its members: max or mean', choiceOption('--aggregate', ['max', 'mean'] as const), 'max')
    .option('--finetune-epochs <n>', 'fine-tune the pruned model for n epochs as a child run (0: none)', numberOption('--finetune-epochs', { integer: true, min: 0, max: 10000 }), 0)
    .option('--finetune-lr <x>', "fine-tune learning rate (default: the run's / 10)", numberOption('--finetune-lr', { min: 1e-8, max: 10 }))
    .option('--json', 'print one JSON document')
    .action((runId: string, o: PruneFlags) =>
      withApp(async (app) => {
        exactlyOne(o.threshold, o.ratio, ['--threshold', '--ratio']);
        const options = {
          selection: {
            ...(o.criterion ? { criterion: o.criterion } : {}),
            scope: o.scope,
            aggregate: o.aggregate,
            ...(o.threshold !== undefined ? { threshold: o.threshold } : { ratio: o.ratio }),
            ...(o.minChannels !== undefined ? { minChannels: o.minChannels } : {}),
          },
          finetuneEpochs: o.finetuneEpochs,
          ...(o.finetuneLr !== undefined ? { finetuneLr: o.finetuneLr } : {}),
        };
        const view = await pruneAndFinetune(app, runId, options, 'prune');
        if (o.json) return printJson(pruneJson(view));
        info(`Prune ${view.pruneId} of run ${view.sourceRunId}${view.childRunId ? `, fine-tuned as run ${view.childRunId}` : ''}`);
        info(table(['layer', 'channels before', 'after'], view.layers.map((l) => [l.name, String(l.before), String(l.after)])));
        info(`params ${formatCount(view.params.before)} → ${formatCount(view.params.after)}, MACs ${formatCount(view.macs.before)} → ${formatCount(view.macs.after)}`);
        info(`accuracy ${formatPercent(view.accuracy.before, 2)} before, ${formatPercent(view.accuracy.pruned, 2)} pruned, ${formatPercent(view.accuracy.finetuned, 2)} fine-tuned`);
        const kept = view.report.groups.filter((g) => g.keptBecause);
        const tied = view.report.groups.filter((g) => g.members.length > 1);
        info(`${view.report.groupCount} channel groups, ${tied.length} tying several layers' channels; ${view.report.folded.length} constant channel(s) folded`);
        for (const g of kept.slice(0, 10)) info(`  kept ${g.members.slice(0, 4).join(', ')}${g.members.length > 4 ? ', …' : ''}: ${g.keptBecause}`);
        info(`model: ${view.modelPath}`);
      }),
    );

  prune
    .command('sweep')
    .description('what-if: accuracy and size at several thresholds or ratios (nothing is pruned)')
    .argument('<run>', 'id of a completed run')
    .option('--thresholds <list>', 'comma-separated thresholds', listOption('--thresholds'))
    .option('--ratios <list>', 'comma-separated ratios in 0..1', listOption('--ratios'))
    .option('--criterion <name>', CRITERION_HELP, choiceOption('--criterion', PRUNE_CRITERIA))
    .option('--scope <name>', 'per layer or global', choiceOption('--scope', PRUNE_SCOPES), 'layer')
    .option('--min-channels <k>', 'keep at least k channels per layer', numberOption('--min-channels', { integer: true, min: 1 }), 1)
    .option('--aggregate <how>', 'max or mean', choiceOption('--aggregate', ['max', 'mean'] as const), 'max')
    .option('--val-limit <n>', 'at most this many validation images (the reference and every point on the same ones)', numberOption('--val-limit', { integer: true, min: 1 }), 1000)
    .option('--json', 'print one JSON document')
    .action((runId: string, o: SweepFlags) =>
      withApp(async (app) => {
        exactlyOne(o.thresholds, o.ratios, ['--thresholds', '--ratios']);
        const bad = (o.ratios ?? []).find((r) => r < 0 || r > 1);
        if (bad !== undefined) throw new Error(`--ratios must lie between 0 and 1, got ${bad}.`);
        const badT = (o.thresholds ?? []).find((t) => t < 0);
        if (badT !== undefined) throw new Error(`--thresholds must be 0 or more, got ${badT}.`);
        const view = await app.prunes.sweep(
          runId,
          {
            ...(o.criterion ? { criterion: o.criterion } : {}),
            scope: o.scope,
            aggregate: o.aggregate,
            minChannels: o.minChannels,
            valLimit: o.valLimit,
            ...(o.thresholds ? { thresholds: o.thresholds } : { ratios: o.ratios }),
          },
          (m) => info(`sweep: ${m}`),
          (done, total) => info(`sweep: point ${done}/${total}`),
        );
        if (o.json) {
          return printJson({
            sweepId: view.sweepId,
            sourceRunId: view.sourceRunId,
            reference: view.reference,
            points: view.points.map((p) => ({ ...(p.threshold !== undefined ? { threshold: p.threshold } : { ratio: p.ratio }), params: p.params, macs: p.macs, accuracy: p.accuracy })),
          });
        }
        if (view.reference) info(`unpruned: ${formatPercent(view.reference.accuracy, 2)} on the first ${view.reference.images} validation images (every point below on the same images)`);
        info(
          table(
            [o.thresholds ? 'threshold' : 'ratio', 'params', 'MACs', 'accuracy'],
            view.points.map((p) => [String(p.threshold ?? p.ratio), formatCount(p.params), formatCount(p.macs), formatPercent(p.accuracy, 2)]),
          ),
        );
      }),
    );
}
