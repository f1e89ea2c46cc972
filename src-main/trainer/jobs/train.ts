/**
 * The `train` job: pick the backend, load the data, build or load the model, run the training loop
 * and stream progress and epoch records to the host. Used for new runs, resumes and fine-tunes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../../engine/backend/select';
import { loadDataset, runLoadOptions } from '../../engine/data';
import { buildModelSpec } from '../../catalog/models/builders';
import { initialWeightValues } from '../../engine/models/init';
import { totalCost, type ModelSpec } from '../../catalog/models/spec';
import { describeAdapter } from '../../shared/gpu-adapters';
import { readModelFile } from '../../engine/train/checkpoint';
import { trainRun, type StartingPoint } from '../../engine/train/loop';
import type { TrainJob } from '../protocol';
import type { JobContext } from './context';

function startingPoint(job: TrainJob, inputShape: [number, number, number], classes: number): StartingPoint {
  const { config, start } = job;
  if (start.from === 'scratch') {
    const spec = buildModelSpec(config.model, { inputShape, classes, width: config.width, shortcut: config.shortcut });
    return { spec, weights: initialWeightValues(spec, config.seed), epoch: 0 };
  }
  const file = readModelFile(start.path);
  if (file.spec.inputShape.join('x') !== inputShape.join('x') || file.spec.classes !== classes) {
    throw new Error(
      `Model file ${start.path} expects ${file.spec.inputShape.join('×')} images in ${file.spec.classes} classes, ` +
        `but the dataset has ${inputShape.join('×')} images in ${classes} classes.`,
    );
  }
  if (start.from === 'model') return { spec: file.spec, weights: file.weights, epoch: 0 };
  return {
    spec: file.spec,
    weights: file.weights,
    epoch: file.epoch,
    optimizer: { step: file.optimizerStep, slots: file.optimizer },
  };
}

/** On WebGPU: says which adapter trains, and refuses a batch the GPU cannot bind in one sentence. */
async function checkGpuFits(spec: ModelSpec, batchSize: number, ctx: JobContext): Promise<void> {
  const { batchDoesNotFit, webgpuAdapterInUse } = await import('../../engine/backend/webgpu');
  const adapter = webgpuAdapterInUse()?.summary;
  if (!adapter) return;
  const tooLarge = batchDoesNotFit(spec, batchSize, adapter.limits);
  if (tooLarge) throw new Error(tooLarge);
  ctx.post({ type: 'log', level: 'info', message: `WebGPU adapter: ${describeAdapter(adapter)}, ${adapter.description}.` });
}

/**
 * Removes the temporary files a killed trainer left in the run's checkpoint folder (`<name>.tmp-…`,
 * see writeModelFile). Safe: the host holds the run's lock, so no other trainer writes there.
 */
function removeAbandonedTemporaries(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // no folder yet
  }
  for (const name of names) if (/\.tmp-\d+-[0-9a-f]+$|\.tmp-\d+$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
}

export async function runTrainJob(job: TrainJob, ctx: JobContext): Promise<void> {
  removeAbandonedTemporaries(job.checkpointDir);
  const backend = await selectBackend(job.config.backend);
  const ds = await loadDataset(job.config.dataset, runLoadOptions(job.config));
  const start = startingPoint(job, ds.shape, ds.classes);
  if (backend === 'webgpu') await checkGpuFits(start.spec, job.config.batchSize, ctx);
  const cost = totalCost(start.spec);
  const widths = Object.fromEntries(
    start.spec.prunable.map((p) => {
      const node = start.spec.nodes.find((n) => n.name === p.layer)!;
      return [p.layer, node.op === 'conv2d' ? node.filters : node.op === 'dense' ? node.units : 0];
    }),
  );
  ctx.post({ type: 'started', backend, modelInfo: { params: cost.params, macs: cost.macs, widths, classes: start.spec.classes } });
  const outcome = await trainRun(job.config, ds, start, job.checkpointDir, {
    onStep: (p) => ctx.post({ type: 'progress', ...p }),
    onScalars: (row) => ctx.post({ type: 'scalars', row }),
    onEpoch: (record) => ctx.post({ type: 'epoch', record }),
    isCancelled: () => ctx.isCancelled(),
  });
  ctx.post({ type: 'done', status: outcome.status });
}
