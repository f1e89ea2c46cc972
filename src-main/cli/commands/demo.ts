/**
 * `ffr demo`: the workbench's main job end to end on the embedded default (bundled MNIST, LeNet-5):
 * train with FFR and with no regularizer, prune both at the same output-spread threshold, fine-tune,
 * export both formats, and print a comparison table with where the files are.
 *
 * Defaults are sized to finish in a few minutes on two CPU cores: 4,000 training images, 1,000 test
 * images, 3 epochs, FFR at its default λ_len, 1 fine-tune epoch at lr 0.005, prune threshold 0.05
 * (output spread relative to each layer's largest: the default importance of both regularizers).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_CHOICES, DEFAULT_FFR, DEFAULT_IMPORTANCE, DEFAULT_VAL_FRACTION, type RunConfig } from '../../shared/run-config';
import type { ExportView, PruneView } from '../../shared/contract';
import type { App } from '../../services/app';
import { choiceOption, numberOption } from '../options';
import { formatCount, formatPercent, info, printJson, table } from '../output';
import { pruneAndFinetune } from './prune';
import { followRun } from './train';

interface DemoFlags {
  trainLimit: number;
  testLimit: number;
  epochs: number;
  threshold: number;
  finetuneEpochs: number;
  finetuneLr: number;
  lambdaLength: number;
  backend: RunConfig['backend'];
  out?: string;
  json?: boolean;
}

interface DemoRow {
  regularizer: 'ffr' | 'none';
  runId: string;
  accuracy: number | null;
  structuredSparsity: number | null;
  prune: PruneView;
  exports: ExportView[];
}

export function registerDemo(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  program
    .command('demo')
    .description('train LeNet-5 on bundled MNIST with FFR and without, prune both, fine-tune, export, compare')
    .option('--train-limit <n>', 'training images', numberOption('--train-limit', { integer: true, min: 100 }), 4000)
    .option('--test-limit <n>', 'test images', numberOption('--test-limit', { integer: true, min: 100 }), 1000)
    .option('--epochs <n>', 'training epochs', numberOption('--epochs', { integer: true, min: 1, max: 100 }), 3)
    .option('--threshold <t>', 'prune channels whose output spread is at most t of their layer\'s largest', numberOption('--threshold', { min: 0, max: 1 }), 0.05)
    .option('--finetune-epochs <n>', 'fine-tune epochs after pruning', numberOption('--finetune-epochs', { integer: true, min: 0, max: 100 }), 1)
    .option('--finetune-lr <x>', 'fine-tune learning rate', numberOption('--finetune-lr', { min: 1e-8, max: 10 }), 0.005)
    .option('--lambda-length <x>', `FFR length weight (default ${DEFAULT_FFR.lambdaLength}, the run default)`, numberOption('--lambda-length', { min: 0, max: 100 }), DEFAULT_FFR.lambdaLength)
    .option('--backend <name>', BACKEND_CHOICES.join(', '), choiceOption('--backend', BACKEND_CHOICES), 'auto')
    .option('--out <dir>', 'where the exports go (default <FFR_HOME>/exports/demo)')
    .option('--json', 'print one JSON document')
    .action((o: DemoFlags) =>
      withApp(async (app) => {
        const out = path.resolve(o.out ?? path.join(app.paths.exportsDir, 'demo'));
        const started = Date.now();
        const rows: DemoRow[] = [];
        for (const regularizer of ['ffr', 'none'] as const) {
          const config = {
            model: 'lenet5',
            dataset: { name: 'mnist' },
            trainLimit: o.trainLimit,
            testLimit: o.testLimit,
            epochs: o.epochs,
            regularizer,
            ...(regularizer === 'ffr' ? { ffr: { lambdaLength: o.lambdaLength } } : {}),
            backend: o.backend,
          };
          const run = await app.runs.create({ config, name: `demo lenet5 ${regularizer}` });
          info(`demo: training ${run.id} (lenet5, ${regularizer}, ${o.epochs} epochs on ${o.trainLimit} images)`);
          const outcome = await followRun(app, run.id, app.runs.start(run.id), `train ${regularizer}`);
          if (outcome.status !== 'completed') throw new Error(`Demo run ${run.id} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
          const summary = app.runs.summary(run.id);
          const prune = await pruneAndFinetune(
            app,
            run.id,
            {
              selection: { criterion: DEFAULT_IMPORTANCE[regularizer], scope: 'layer', aggregate: 'max', threshold: o.threshold, minChannels: 1 },
              finetuneEpochs: o.finetuneEpochs,
              finetuneLr: o.finetuneLr,
            },
            `prune ${regularizer}`,
          );
          const exports: ExportView[] = [];
          for (const format of ['tfjs', 'onnx'] as const) {
            exports.push(await app.exports.export({ target: prune.pruneId, format, outDir: path.join(out, `${regularizer}-${format}`), force: true }));
          }
          rows.push({ regularizer, runId: run.id, accuracy: summary.final?.testAccuracy ?? null, structuredSparsity: summary.sparsity?.structured ?? null, prune, exports });
        }
        const seconds = Math.round((Date.now() - started) / 1000);
        if (o.json) return printJson({ seconds, out, rows });
        const diff = (r: DemoRow, f: string) => {
          const e = r.exports.find((x) => x.format === f);
          return e ? `${e.maxAbsDiff.toExponential(1)}${e.verified ? '' : '!'}` : '–';
        };
        const text = [
          `FFR Workbench demo: LeNet-5 on bundled MNIST (${o.trainLimit} training images, ${DEFAULT_VAL_FRACTION * 100} % of them held out for validation / ${o.testLimit} test images, ${o.epochs} epochs), ` +
            `pruned at output spread ≤ ${o.threshold} of each layer's largest, fine-tuned ${o.finetuneEpochs} epoch(s). ${seconds}s.`,
          '',
          table(
            ['regularizer', 'run', 'accuracy', 'struct. sparsity', 'pruned acc.', 'fine-tuned acc.', 'params', 'MACs', 'widths', 'tfjs |Δ|', 'onnx |Δ|'],
            rows.map((r) => [
              r.regularizer,
              r.runId,
              formatPercent(r.accuracy, 2),
              formatPercent(r.structuredSparsity),
              formatPercent(r.prune.accuracy.pruned, 2),
              formatPercent(r.prune.accuracy.finetuned, 2),
              `${formatCount(r.prune.params.before)} → ${formatCount(r.prune.params.after)}`,
              `${formatCount(r.prune.macs.before)} → ${formatCount(r.prune.macs.after)}`,
              r.prune.layers.map((l) => l.after).join('-'),
              diff(r, 'tfjs'),
              diff(r, 'onnx'),
            ]),
          ),
          '',
          'Files:',
          ...rows.flatMap((r) => [`  ${r.regularizer} pruned model: ${r.prune.modelPath}`, ...r.exports.map((e) => `  ${r.regularizer} ${e.format}: ${e.dir} (${e.files.join(', ')})`)]),
        ].join('\n');
        process.stdout.write(`${text}\n`);
      }),
    );
}
