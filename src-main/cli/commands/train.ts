/** `ffr train`: create a run from flags, train it in a trainer process, print its summary. */
import type { Command } from 'commander';
import {
  BACKEND_CHOICES,
  DEFAULT_BASELINE_LAMBDA,
  DEFAULT_FFR,
  FFR_ALIGNS,
  GROUP_LASSO_GROUPS,
  MODEL_NAMES,
  REGULARIZERS,
  defaultLearningRate,
  type RunConfig,
} from '../../shared/run-config';
import type { App } from '../../services/app';
import type { RunOutcome } from '../../services/jobs';
import { choiceOption, numberOption } from '../options';
import { formatPercent, info, printJson, progress, table } from '../output';
import { addDatasetOptions, datasetRef, type DatasetFlags } from './dataset-options';
import { projectIdFor } from './projects';

interface TrainFlags extends DatasetFlags {
  model: RunConfig['model'];
  project?: string;
  name?: string;
  width: number;
  shortcut: 'A' | 'B';
  epochs: number;
  batchSize: number;
  lr?: number;
  momentum: number;
  weightDecay: number;
  optimizer: RunConfig['optimizer'];
  schedule: RunConfig['schedule'];
  regularizer: RunConfig['regularizer'];
  lambdaLength?: number;
  lambdaCurvature?: number;
  lambda?: number;
  groupLassoGroup: RunConfig['groupLassoGroup'];
  align: RunConfig['ffr']['align'];
  curvature: RunConfig['ffr']['curvature'];
  norm: RunConfig['ffr']['norm'];
  trainLimit?: number;
  testLimit?: number;
  augment?: boolean;
  seed: number;
  backend: RunConfig['backend'];
  sparsityThreshold: number;
  json?: boolean;
}

export function configFromFlags(o: TrainFlags): unknown {
  const dataset = datasetRef(o);
  return {
    model: o.model,
    width: o.width,
    shortcut: o.shortcut,
    dataset,
    ...(o.trainLimit ? { trainLimit: o.trainLimit } : {}),
    ...(o.testLimit ? { testLimit: o.testLimit } : {}),
    augment: o.augment ?? (dataset.name === 'cifar10' || dataset.name === 'cifar100'),
    epochs: o.epochs,
    batchSize: o.batchSize,
    optimizer: o.optimizer,
    lr: o.lr ?? defaultLearningRate(o.model),
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    schedule: o.schedule,
    stepEvery: Math.max(1, Math.round(o.epochs / 3)),
    stepGamma: 0.1,
    regularizer: o.regularizer,
    ffr: {
      lambdaLength: o.lambdaLength ?? DEFAULT_FFR.lambdaLength,
      lambdaCurvature: o.lambdaCurvature ?? DEFAULT_FFR.lambdaCurvature,
      align: o.align,
      curvature: o.curvature,
      norm: o.norm,
    },
    lambda: o.lambda ?? (o.regularizer === 'ffr' || o.regularizer === 'none' ? 0 : DEFAULT_BASELINE_LAMBDA[o.regularizer]),
    groupLassoGroup: o.groupLassoGroup,
    sparsityThreshold: o.sparsityThreshold,
    probeSize: 256,
    seed: o.seed,
    backend: o.backend,
  };
}

export function addTrainOptions(cmd: Command): Command {
  return addDatasetOptions(
    cmd
      .requiredOption('--model <name>', `architecture: ${MODEL_NAMES.join(', ')}`, choiceOption('--model', MODEL_NAMES))
      .option('--project <name>', 'project name (created if new; default "Default")')
      .option('--name <name>', 'run name')
      .option('--width <w>', 'channel-width multiplier', numberOption('--width', { min: 0.01, max: 8 }), 1)
      .option('--shortcut <A|B>', 'ResNet stage shortcut', choiceOption('--shortcut', ['A', 'B'] as const), 'A')
      .option('--epochs <n>', 'epochs', numberOption('--epochs', { integer: true, min: 1, max: 10000 }), 3)
      .option('--batch-size <n>', 'batch size', numberOption('--batch-size', { integer: true, min: 1, max: 8192 }), 64)
      .option('--lr <x>', 'learning rate (default 0.01 for mlp, 0.05 otherwise)', numberOption('--lr', { min: 1e-8, max: 10 }))
      .option('--momentum <x>', 'SGD momentum', numberOption('--momentum', { min: 0, max: 0.999 }), 0.9)
      .option('--weight-decay <x>', 'weight decay on kernels', numberOption('--weight-decay', { min: 0, max: 1 }), 5e-4)
      .option('--optimizer <name>', 'sgd or adam', choiceOption('--optimizer', ['sgd', 'adam'] as const), 'sgd')
      .option('--schedule <name>', 'cosine, step or constant', choiceOption('--schedule', ['cosine', 'step', 'constant'] as const), 'cosine')
      .option('--regularizer <name>', REGULARIZERS.join(', '), choiceOption('--regularizer', REGULARIZERS), 'ffr')
      .option('--lambda-length <x>', `FFR length weight (default ${DEFAULT_FFR.lambdaLength})`, numberOption('--lambda-length', { min: 0, max: 100 }))
      .option('--lambda-curvature <x>', `FFR curvature weight (default ${DEFAULT_FFR.lambdaCurvature})`, numberOption('--lambda-curvature', { min: 0, max: 100 }))
      .option(
        '--lambda <x>',
        `baseline regularizer weight (default: ${Object.entries(DEFAULT_BASELINE_LAMBDA).map(([r, l]) => `${r} ${l}`).join(', ')})`,
        numberOption('--lambda', { min: 0, max: 100 }),
      )
      .option('--group-lasso-group <what>', `group-lasso: what one group holds: ${GROUP_LASSO_GROUPS.join(', ')}`, choiceOption('--group-lasso-group', GROUP_LASSO_GROUPS), 'channel')
      .option('--align <mode>', `FFR alignment: ${FFR_ALIGNS.join(', ')} (docs/ffr.md)`, choiceOption('--align', FFR_ALIGNS), DEFAULT_FFR.align)
      .option('--curvature <mode>', 'FFR curvature: angle or second-difference', choiceOption('--curvature', ['angle', 'second-difference'] as const), DEFAULT_FFR.curvature)
      .option('--norm <mode>', 'FFR length: channel or l2', choiceOption('--norm', ['channel', 'l2'] as const), DEFAULT_FFR.norm)
      .option('--train-limit <n>', 'train on a subset of this many images', numberOption('--train-limit', { integer: true, min: 1 }))
      .option('--test-limit <n>', 'evaluate on a subset of this many images', numberOption('--test-limit', { integer: true, min: 1 }))
      .option('--no-augment', 'no pad-crop-flip augmentation (on by default for CIFAR)')
      .option('--seed <n>', 'random seed', numberOption('--seed', { integer: true, min: 0, max: 2 ** 31 - 1 }), 1)
      .option('--backend <name>', BACKEND_CHOICES.join(', '), choiceOption('--backend', BACKEND_CHOICES), 'auto')
      .option('--sparsity-threshold <x>', "relative output spread at or below which a channel counts as prunable (the headline structured sparsity)", numberOption('--sparsity-threshold', { min: 1e-9, max: 1 }), 1e-2)
      .option('--json', 'print one JSON document'),
  );
}

/** Trains a run to the end with a progress display; Ctrl-C cancels it cleanly. */
export async function followRun(app: App, runId: string, started: Promise<RunOutcome>, title: string): Promise<RunOutcome> {
  const bar = progress(title);
  const onProgress = (p: { runId: string; fraction: number; epoch: number; epochs: number; loss: number; etaSeconds: number | null }) => {
    if (p.runId !== runId) return;
    const eta = p.etaSeconds === null ? '' : ` eta ${Math.round(p.etaSeconds)}s`;
    bar.update(p.fraction, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)}${eta}`);
  };
  const onEpoch = (e: { runId: string; metrics: { epoch: number; testAccuracy: number } }) => {
    if (e.runId === runId && !process.stderr.isTTY) info(`${title}: epoch ${e.metrics.epoch} test accuracy ${formatPercent(e.metrics.testAccuracy, 2)}`);
  };
  const onSigint = () => {
    info('\nCancelling…');
    app.runs.cancel(runId);
  };
  app.jobs.on('run-progress', onProgress);
  app.jobs.on('run-epoch', onEpoch);
  process.on('SIGINT', onSigint);
  try {
    return await started;
  } finally {
    bar.stop();
    app.jobs.off('run-progress', onProgress);
    app.jobs.off('run-epoch', onEpoch);
    process.off('SIGINT', onSigint);
  }
}

export function registerTrain(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  addTrainOptions(program.command('train').description('train a model with FFR or a baseline regularizer')).action((o: TrainFlags) =>
    withApp(async (app) => {
      const projectId = projectIdFor(app, o.project);
      const run = await app.runs.create({ projectId, config: configFromFlags(o), ...(o.name ? { name: o.name } : {}) });
      info(`Run ${run.id}: ${o.model} on ${o.dataset}, regularizer ${o.regularizer}`);
      const outcome = await followRun(app, run.id, app.runs.start(run.id), run.id);
      const summary = app.runs.summary(run.id);
      if (o.json) printJson(summary);
      else {
        info(`\nRun ${run.id} ${summary.status} on ${summary.backend ?? '?'} after ${summary.epochs} epochs`);
        if (summary.final) {
          info(`test accuracy ${formatPercent(summary.final.testAccuracy, 2)}, structured sparsity ${formatPercent(summary.sparsity?.structured)}`);
          info(table(['layer', 'filters', 'structured', 'unstructured'], summary.layers.map((l) => [l.name, String(l.filters), formatPercent(l.structuredSparsity), formatPercent(l.unstructuredSparsity)])));
        }
      }
      if (outcome.status === 'failed') throw new Error(`Run ${run.id} failed: ${outcome.error}`);
      if (outcome.status === 'cancelled') process.exitCode = 130;
    }),
  );
}
