/**
 * `ffr train`: create a run from flags, train it in a trainer process, print its summary.
 *
 * Every flag's default is the shared run default (shared/run-config.ts): the same experiment
 * started here and from the New-run form gets the same config. Settings that follow another one
 * (the learning rate follows the model, augmentation the dataset, λ the regularizer) are left out
 * unless given, and completed by completeRunConfig like any partial config.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  BACKEND_CHOICES,
  BASELINE_REGULARIZERS,
  DEFAULT_BASELINE_LAMBDA,
  DEFAULT_FFR,
  DEFAULT_GROUP_LASSO_GROUP,
  FFR_ALIGNS,
  GROUP_LASSO_GROUPS,
  MODEL_NAMES,
  REGULARIZERS,
  defaultRunConfig,
  isBaselineRegularizer,
  type FfrOptions,
  type GroupLassoGroup,
  type RunConfig,
  type RunConfigInput,
} from '../../shared/run-config';
import type { App } from '../../services/app';
import type { RunOutcome } from '../../services/jobs';
import { choiceOption, numberOption } from '../options';
import { formatPercent, info, printJson, progress, table } from '../output';
import { addDatasetOptions, datasetRef, type DatasetFlags } from './dataset-options';
import { addExecutorOptions, executionFromFlags, type ExecutorFlags } from './executor-options';

export interface TrainFlags extends DatasetFlags {
  model: RunConfig['model'];
  project?: string;
  name?: string;
  width: number;
  shortcut: RunConfig['shortcut'];
  epochs: number;
  batchSize: number;
  lr?: number;
  momentum: number;
  weightDecay: number;
  optimizer: RunConfig['optimizer'];
  schedule: RunConfig['schedule'];
  stepEvery: number;
  stepGamma: number;
  regularizer: RunConfig['regularizer'];
  lambdaLength?: number;
  lambdaCurvature?: number;
  lambda?: number;
  groupLassoGroup?: GroupLassoGroup;
  align?: FfrOptions['align'];
  curvature?: FfrOptions['curvature'];
  norm?: FfrOptions['norm'];
  trainLimit?: number;
  testLimit?: number;
  valFraction: number;
  augment?: boolean;
  seed: number;
  backend: RunConfig['backend'];
  sparsityThreshold: number;
  probeSize: number;
  json?: boolean;
}

const FFR_FLAGS = { lambdaLength: '--lambda-length', lambdaCurvature: '--lambda-curvature', align: '--align', curvature: '--curvature', norm: '--norm' } as const;

/** The run settings the flags give (a partial config: completeRunConfig fills the rest). */
export function configFromFlags(o: TrainFlags): RunConfigInput {
  const ffrGiven = (Object.keys(FFR_FLAGS) as Array<keyof typeof FFR_FLAGS>).filter((k) => o[k] !== undefined);
  if (o.regularizer !== 'ffr' && ffrGiven.length > 0) {
    throw new Error(`${FFR_FLAGS[ffrGiven[0]!]} applies to --regularizer ffr only, not ${o.regularizer}.`);
  }
  if (o.lambda !== undefined && !isBaselineRegularizer(o.regularizer)) {
    throw new Error(`--lambda applies to ${BASELINE_REGULARIZERS.join(', ')} only${o.regularizer === 'ffr' ? '; FFR takes --lambda-length and --lambda-curvature' : ''}.`);
  }
  if (o.groupLassoGroup !== undefined && o.regularizer !== 'group-lasso') {
    throw new Error(`--group-lasso-group applies to --regularizer group-lasso only, not ${o.regularizer}.`);
  }
  const given = <T>(v: T | undefined, key: string): Record<string, T> => (v === undefined ? {} : { [key]: v });
  return {
    model: o.model,
    width: o.width,
    shortcut: o.shortcut,
    dataset: datasetRef(o),
    ...given(o.trainLimit, 'trainLimit'),
    ...given(o.testLimit, 'testLimit'),
    valFraction: o.valFraction,
    ...given(o.augment, 'augment'),
    epochs: o.epochs,
    batchSize: o.batchSize,
    optimizer: o.optimizer,
    ...given(o.lr, 'lr'),
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    schedule: o.schedule,
    stepEvery: o.stepEvery,
    stepGamma: o.stepGamma,
    regularizer: o.regularizer,
    ...(ffrGiven.length > 0 ? { ffr: Object.fromEntries(ffrGiven.map((k) => [k, o[k]])) } : {}),
    ...given(o.lambda, 'lambda'),
    ...given(o.groupLassoGroup, 'groupLassoGroup'),
    sparsityThreshold: o.sparsityThreshold,
    probeSize: o.probeSize,
    seed: o.seed,
    backend: o.backend,
  };
}

/**
 * `--val-fraction`: the share of the training images held out as the validation set, on which
 * sweeps and every automatic choice are made (shared by train, study run and dataset inspect).
 */
export function valFractionOption(defaultValue: number): Option {
  return new Option('--val-fraction <x>', 'share of the training images held out for validation (0 < x ≤ 0.5)')
    .argParser((raw: string) => {
      const v = numberOption('--val-fraction', { max: 0.5 })(raw);
      if (!(v > 0)) throw new InvalidArgumentError(`--val-fraction must be more than 0 (0 leaves the validation set empty), got ${raw}.`);
      return v;
    })
    .default(defaultValue);
}

export function addTrainOptions(cmd: Command): Command {
  const d = defaultRunConfig();
  const baselineLambdas = BASELINE_REGULARIZERS.map((r) => `${r} ${DEFAULT_BASELINE_LAMBDA[r]}`).join(', ');
  return addDatasetOptions(
    cmd
      .requiredOption('--model <name>', `architecture: ${MODEL_NAMES.join(', ')}`, choiceOption('--model', MODEL_NAMES))
      .option('--project <name>', 'project name (created with the run if new; default "Default")')
      .option('--name <name>', 'run name')
      .option('--width <w>', 'channel-width multiplier', numberOption('--width', { min: 0.01, max: 8 }), d.width)
      .option('--shortcut <A|B>', 'ResNet stage shortcut', choiceOption('--shortcut', ['A', 'B'] as const), d.shortcut)
      .option('--epochs <n>', 'epochs', numberOption('--epochs', { integer: true, min: 1, max: 10000 }), d.epochs)
      .option('--batch-size <n>', 'batch size', numberOption('--batch-size', { integer: true, min: 1, max: 8192 }), d.batchSize)
      .option('--lr <x>', 'learning rate (default 0.01 for mlp, 0.05 otherwise)', numberOption('--lr', { min: 1e-8, max: 10 }))
      .option('--momentum <x>', 'SGD momentum', numberOption('--momentum', { min: 0, max: 0.999 }), d.momentum)
      .option('--weight-decay <x>', 'weight decay on kernels', numberOption('--weight-decay', { min: 0, max: 1 }), d.weightDecay)
      .option('--optimizer <name>', 'sgd or adam', choiceOption('--optimizer', ['sgd', 'adam'] as const), d.optimizer)
      .option('--schedule <name>', 'cosine, step or constant', choiceOption('--schedule', ['cosine', 'step', 'constant'] as const), d.schedule)
      .option('--step-every <n>', 'step schedule: epochs between rate drops', numberOption('--step-every', { integer: true, min: 1 }), d.stepEvery)
      .option('--step-gamma <x>', 'step schedule: factor of each drop', numberOption('--step-gamma', { min: 1e-9, max: 1 }), d.stepGamma)
      .option('--regularizer <name>', REGULARIZERS.join(', '), choiceOption('--regularizer', REGULARIZERS), d.regularizer)
      .option('--lambda-length <x>', `FFR length weight (default ${DEFAULT_FFR.lambdaLength})`, numberOption('--lambda-length', { min: 0, max: 100 }))
      .option('--lambda-curvature <x>', `FFR curvature weight (default ${DEFAULT_FFR.lambdaCurvature})`, numberOption('--lambda-curvature', { min: 0, max: 100 }))
      .option('--lambda <x>', `baseline regularizer weight (default ${baselineLambdas})`, numberOption('--lambda', { min: 0, max: 100 }))
      .option(
        '--group-lasso-group <what>',
        `group-lasso: what one group holds: ${GROUP_LASSO_GROUPS.join(', ')} (default ${DEFAULT_GROUP_LASSO_GROUP})`,
        choiceOption('--group-lasso-group', GROUP_LASSO_GROUPS),
      )
      .option('--align <mode>', `FFR alignment: ${FFR_ALIGNS.join(', ')} (default ${DEFAULT_FFR.align}; docs/ffr.md)`, choiceOption('--align', FFR_ALIGNS))
      .option('--curvature <mode>', `FFR curvature: angle or second-difference (default ${DEFAULT_FFR.curvature})`, choiceOption('--curvature', ['angle', 'second-difference'] as const))
      .option('--norm <mode>', `FFR length: channel or l2 (default ${DEFAULT_FFR.norm})`, choiceOption('--norm', ['channel', 'l2'] as const))
      .option('--train-limit <n>', 'train on a subset of this many images', numberOption('--train-limit', { integer: true, min: 1 }))
      .option('--test-limit <n>', 'evaluate on a subset of this many images', numberOption('--test-limit', { integer: true, min: 1 }))
      .addOption(valFractionOption(d.valFraction))
      .option('--augment', 'pad-4 random crop + horizontal flip (default: on for CIFAR, off otherwise)')
      .option('--no-augment', 'no augmentation')
      .option('--seed <n>', 'random seed', numberOption('--seed', { integer: true, min: 0, max: 2 ** 31 - 1 }), d.seed)
      .option('--backend <name>', BACKEND_CHOICES.join(', '), choiceOption('--backend', BACKEND_CHOICES), d.backend)
      .option(
        '--sparsity-threshold <x>',
        'relative output spread at or below which a channel counts as prunable (the headline structured sparsity)',
        numberOption('--sparsity-threshold', { min: 1e-9, max: 1 }),
        d.sparsityThreshold,
      )
      .option('--probe-size <n>', 'images in the fixed probe batch of the sparsity snapshots', numberOption('--probe-size', { integer: true, min: 1, max: 4096 }), d.probeSize)
      .option('--json', 'print one JSON document'),
  );
}

/**
 * Trains a run to the end with a progress display; Ctrl-C cancels it cleanly. Warnings and errors
 * the host reports about the run (a damaged checkpoint skipped, a status it could not record) are
 * printed on stderr. Pass `started` as a function when starting may itself report them (resume).
 */
export async function followRun(
  app: App,
  runId: string,
  started: Promise<RunOutcome> | (() => Promise<RunOutcome>),
  title: string,
): Promise<RunOutcome> {
  const bar = progress(title);
  const onProgress = (p: { runId: string; fraction: number; epoch: number; epochs: number; loss: number; etaSeconds: number | null }) => {
    if (p.runId !== runId) return;
    const eta = p.etaSeconds === null ? '' : ` eta ${Math.round(p.etaSeconds)}s`;
    bar.update(p.fraction, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)}${eta}`);
  };
  const onEpoch = (e: { runId: string; metrics: { epoch: number; testAccuracy: number } }) => {
    if (e.runId === runId && !process.stderr.isTTY) info(`${title}: epoch ${e.metrics.epoch} test accuracy ${formatPercent(e.metrics.testAccuracy, 2)}`);
  };
  const onLog = (l: { runId: string | null; level: string; message: string }) => {
    if (l.runId === runId && l.level !== 'info') info(`${l.level === 'error' ? 'error' : 'warning'}: ${l.message}`);
  };
  const onSigint = () => {
    info('\nCancelling…');
    try {
      app.runs.cancel(runId);
    } catch (e) {
      info(`error: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  let slurmState = '';
  const onSlurm = (e: { runId: string; job: { jobId: string; state: string; reason: string | null } }) => {
    if (e.runId !== runId || e.job.state === slurmState) return;
    slurmState = e.job.state;
    info(`${title}: Slurm job ${e.job.jobId} ${e.job.state}${e.job.reason ? ` (${e.job.reason})` : ''}`);
  };
  app.jobs.on('run-progress', onProgress);
  app.jobs.on('run-epoch', onEpoch);
  app.jobs.on('log', onLog);
  app.jobs.on('run-slurm', onSlurm);
  process.on('SIGINT', onSigint);
  try {
    return await (typeof started === 'function' ? started() : started);
  } finally {
    bar.stop();
    app.jobs.off('run-progress', onProgress);
    app.jobs.off('run-epoch', onEpoch);
    app.jobs.off('log', onLog);
    app.jobs.off('run-slurm', onSlurm);
    process.off('SIGINT', onSigint);
  }
}

export function registerTrain(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  addExecutorOptions(addTrainOptions(program.command('train').description('train a model with FFR or a baseline regularizer')), 'local').action((o: TrainFlags & ExecutorFlags) =>
    withApp(async (app) => {
      const execution = executionFromFlags(o, 'local');
      const executor = execution.executor ?? 'local';
      const run = await app.runs.create({
        ...(o.project ? { projectName: o.project } : {}),
        config: configFromFlags(o),
        ...(o.name ? { name: o.name } : {}),
        executor,
        ...(execution.slurm ? { slurm: execution.slurm } : {}),
      });
      info(`Run ${run.id}: ${o.model} on ${o.dataset}, regularizer ${o.regularizer}${executor === 'slurm' ? ', as a Slurm job' : ''}`);
      const outcome = await followRun(app, run.id, app.runs.start(run.id), run.id);
      // The outcome wins over the stored row: on a full disk the final status may not have been written.
      const summary = { ...app.runs.summary(run.id), status: outcome.status, error: outcome.error };
      if (o.json) printJson(summary);
      else {
        info(`\nRun ${run.id} ${summary.status} on ${summary.backend ?? '?'} after ${summary.epochs} epochs`);
        if (summary.final) {
          info(`test accuracy ${formatPercent(summary.final.testAccuracy, 2)}, structured sparsity ${formatPercent(summary.sparsity?.structured)}`);
          info(table(['layer', 'filters', 'structured', 'unstructured'], summary.layers.map((l) => [l.name, String(l.filters), formatPercent(l.structuredSparsity), formatPercent(l.unstructuredSparsity)])));
        }
      }
      if (outcome.status === 'failed') throw new Error(`Run ${run.id} failed: ${outcome.error}`);
      // A Slurm job that reached its time limit or lost its node: resumable, but not done.
      if (outcome.status === 'interrupted') throw new Error(`Run ${run.id} was interrupted: ${outcome.error ?? 'it stopped before it finished'} Resume it with \`ffr runs resume ${run.id}\`.`);
      if (outcome.status === 'cancelled') process.exitCode = 130;
    }),
  );
}
