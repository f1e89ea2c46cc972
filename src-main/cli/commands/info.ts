/** `ffr info`, `ffr model info`, `ffr dataset inspect`: what is here, without training anything. */
import type { Command } from 'commander';
import { backendStatuses, wasmThreadsWanted } from '../../engine/backend/select';
import { describeDataset, loadDataset } from '../../engine/data';
import { buildModelSpec } from '../../engine/models/builders';
import { channelsOf, inferShapes, layerCosts, totalCost } from '../../engine/models/spec';
import { MODEL_NAMES, type DatasetRef, type ImageShape } from '../../shared/run-config';
import { resolveHome } from '../../services/home';
import { choiceOption, numberOption } from '../options';
import { formatCount, info, printJson, table } from '../output';
import { addDatasetOptions, datasetRef, type DatasetFlags } from './dataset-options';
import { VERSION } from '../version';

/** Image shape and classes of a dataset; MNIST and CIFAR are known without reading their files. */
async function datasetGeometry(ref: DatasetRef): Promise<{ shape: ImageShape; classes: number }> {
  if (ref.name === 'mnist') return { shape: [28, 28, 1], classes: 10 };
  if (ref.name === 'cifar10') return { shape: [32, 32, 3], classes: 10 };
  if (ref.name === 'cifar100') return { shape: [32, 32, 3], classes: 100 };
  return loadDataset(ref, { trainLimit: 1, testLimit: 1 });
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('version, data directory and compute backends')
    .option('--json', 'print one JSON document')
    .action(async (o: { json?: boolean }) => {
      const backends = await backendStatuses();
      const selected = backends.find((b) => b.available)?.name ?? null;
      const result = { version: VERSION, home: resolveHome().home, selected, backends, wasmThreads: wasmThreadsWanted() };
      if (o.json) return printJson(result);
      info(`FFR Workbench ${VERSION}\ndata directory: ${result.home}\nselected backend (auto): ${selected}`);
      info(
        `threads: ${result.wasmThreads} (FFR_WASM_THREADS: oneDNN's threads on onednn, over the single-threaded wasm build; ` +
          `the wasm pool's on wasm, 1 = the single-threaded build)`,
      );
      for (const b of backends) info(`  ${b.name.padEnd(10)} ${b.available ? `available  ${b.detail ?? ''}` : `unavailable: ${b.reason}`}`);
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
  addDatasetOptions(dataset.command('inspect').description('shape, classes and class counts of a dataset').option('--json', 'print one JSON document')).action(
    async (o: DatasetFlags & { json?: boolean }) => {
      const d = describeDataset(await loadDataset(datasetRef(o)));
      if (o.json) return printJson(d);
      info(`${d.dataset}: ${d.shape.join('×')}, ${d.classes} classes, ${d.train} train / ${d.test} test (${d.source})`);
      info(table(['class', 'train', 'test'], d.classNames.map((n, i) => [n, String(d.classCounts.train[i]), String(d.classCounts.test[i])])));
    },
  );
}
