/** What the prune, sweep and export jobs share: a backend, the run's data and a model file. */
import { selectBackend } from '../../engine/backend/select';
import { loadDataset, runLoadOptions, makeBatch, type Dataset, type Split } from '../../engine/data';
import { Rng } from '../../engine/rng';
import { readModelFile, type ModelFile } from '../../engine/train/checkpoint';
import type { RunConfig } from '../../shared/run-config';
import type { JobContext } from './context';

export interface Source {
  backend: string;
  ds: Dataset;
  file: ModelFile;
}

/** The run's backend and data, and the model file checked against the data. */
export async function loadSource(config: RunConfig, modelPath: string, ctx: JobContext): Promise<Source> {
  const used = await selectBackend(config.backend);
  ctx.post({ type: 'started', backend: used });
  const ds = await loadDataset(config.dataset, runLoadOptions(config));
  const file = readModelFile(modelPath);
  if (file.spec.inputShape.join('x') !== ds.shape.join('x') || file.spec.classes !== ds.classes) {
    throw new Error(`Model file ${modelPath} does not fit the run's dataset (${ds.shape.join('×')}, ${ds.classes} classes).`);
  }
  return { backend: used, ds, file };
}

/** The first `limit` images of a split (the validation subset of sweeps, the export sample). */
export function headOf(ds: Dataset, split: Split, limit: number): Split {
  const count = Math.min(limit, split.count);
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  return { images: split.images.subarray(0, count * size), labels: split.labels.subarray(0, count), count };
}

/** Normalized input tensors' data for the first n test images. */
export function sampleInputs(ds: Dataset, n: number): { x: Float32Array; n: number } {
  const split = headOf(ds, ds.test, n);
  const batch = makeBatch(ds, split, Int32Array.from({ length: split.count }, (_, i) => i), { augment: false, rng: new Rng(0) });
  return { x: batch.x, n: split.count };
}
