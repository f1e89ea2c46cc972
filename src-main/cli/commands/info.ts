/** `ffr info`, `ffr model info`, `ffr dataset inspect`: what is here, without training anything. */
import type { Command } from 'commander';
import { datasetGeometry } from '../../catalog/datasets/header';
import { buildModelSpec } from '../../catalog/models/builders';
import { channelsOf, inferShapes, layerCosts, totalCost } from '../../catalog/models/spec';
import { probeBackends } from '../../services/backend-probe';
import { resolveHome } from '../../services/home';
import { ToolRunner } from '../../services/tools';
import { nodeTrainerLauncher } from '../../services/trainer-launcher';
import { autoBackend } from '../../shared/backends';
import { describeAdapter, formatBytes } from '../../shared/gpu-adapters';
import { DEFAULT_VAL_FRACTION, MODEL_NAMES } from '../../shared/run-config';
import { VERSION } from '../../shared/version';
import { choiceOption, numberOption } from '../options';
import { formatCount, info, printJson, table } from '../output';
import { addDatasetOptions, datasetRef, type DatasetFlags } from './dataset-options';
import { valFractionOption } from './train';

/** Backends and datasets are looked at in a trainer process, as the host never loads tfjs or data itself. */
const tools = (): ToolRunner => new ToolRunner(nodeTrainerLauncher());

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('version, data directory and compute backends')
    .option('--json', 'print one JSON document')
    .action(async (o: { json?: boolean }) => {
      // Asked of a trainer process, as the app does: what it reports is what training will get.
      const { backends, wasmThreads } = await probeBackends(tools());
      const selected = autoBackend(backends);
      const result = { version: VERSION, home: resolveHome().home, selected, backends, wasmThreads };
      if (o.json) return printJson(result);
      info(`FFR Workbench ${VERSION}\ndata directory: ${result.home}\nselected backend (auto): ${selected}`);
      info(
        `threads: ${result.wasmThreads} (FFR_WASM_THREADS: oneDNN's threads on onednn, over the single-threaded wasm build; ` +
          `the wasm pool's on wasm, 1 = the single-threaded build)`,
      );
      for (const b of backends) {
        info(`  ${b.name.padEnd(10)} ${b.available ? `available  ${b.detail ?? ''}` : `unavailable: ${b.reason}`}`);
        if (b.missingLibraries?.length) info(`  ${''.padEnd(10)} failed to load: ${b.missingLibraries.join(', ')}`);
        for (const a of b.adapters ?? []) {
          const chosen = a === b.adapter || (b.adapter && a.dawnBackend === b.adapter.dawnBackend && a.device === b.adapter.device);
          info(
            `  ${''.padEnd(10)} ${chosen ? '*' : ' '} ${describeAdapter(a)}: ${a.description || a.architecture || 'no description'}; ` +
              `largest buffer ${formatBytes(a.limits.maxBufferSize)}, largest binding ${formatBytes(a.limits.maxStorageBufferBindingSize)}`,
          );
        }
      }
    });

  const model = program.command('model').description('model architectures');
  addDatasetOptions(
    model
      .command('info')
      .description('layers, parameters and multiply-accumulates of an architecture on a dataset')
      .requiredOption('--model <name>', `architecture: ${MODEL_NAMES.join(', ')}`, choiceOption('--model', MODEL_NAMES))
      .option('--width <w>', 'channel-width multiplier', numberOption('--width', { min: 0.01, max: 8 }), 1)
      .option('--shortcut <A|B>', 'ResNet stage shortcut', choiceOption('--shortcut', ['A', 'B'] as const), 'A')
      .option('--json', 'print one JSON document'),
  ).action(async (o: DatasetFlags & { model: (typeof MODEL_NAMES)[number]; width: number; shortcut: 'A' | 'B'; json?: boolean }) => {
    const ds = await datasetGeometry(datasetRef(o));
    const spec = buildModelSpec(o.model, { inputShape: ds.shape, classes: ds.classes, width: o.width, shortcut: o.shortcut });
    const shapes = inferShapes(spec);
    const layers = layerCosts(spec)
      .filter((c) => c.params > 0 || c.macs > 0)
      .map((c) => ({
        name: c.name,
        kind: c.op === 'conv2d' ? 'conv' : c.op === 'batchnorm' ? 'batchnorm' : 'dense',
        outChannels: channelsOf(shapes, c.name),
        params: c.params,
        macs: c.macs,
      }));
    const total = totalCost(spec);
    const result = { model: o.model, dataset: o.dataset, inputShape: ds.shape, classes: ds.classes, params: total.params, macs: total.macs, layers };
    if (o.json) return printJson(result);
    info(table(['layer', 'kind', 'out', 'params', 'MACs'], layers.map((l) => [l.name, l.kind, String(l.outChannels), formatCount(l.params), formatCount(l.macs)])));
    info(`\n${o.model} on ${o.dataset} ${ds.shape.join('×')}: ${formatCount(total.params)} parameters, ${formatCount(total.macs)} MACs per image`);
  });

  const dataset = program.command('dataset').description('datasets');
  addDatasetOptions(
    dataset
      .command('inspect')
      .description('shape, classes and class counts of a dataset, with the validation set held out of its training split')
      .addOption(valFractionOption(DEFAULT_VAL_FRACTION))
      .option('--json', 'print one JSON document'),
  ).action(async (o: DatasetFlags & { valFraction: number; json?: boolean }) => {
    const { description: d } = await tools().run({ kind: 'dataset', payload: { ref: datasetRef(o), samples: null, valFraction: o.valFraction } });
    if (o.json) return printJson(d);
    info(`${d.dataset}: ${d.shape.join('×')}, ${d.classes} classes, ${d.train} train / ${d.val} validation / ${d.test} test (${d.source})`);
    info(
      table(
        ['class', 'train', 'val', 'test'],
        d.classNames.map((n, i) => [n, String(d.classCounts.train[i]), String(d.classCounts.val[i]), String(d.classCounts.test[i])]),
      ),
    );
  });
}
