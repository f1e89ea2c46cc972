/**
 * The `dataset` job: load a dataset in full (every CIFAR record's labels checked, every image
 * decoded), describe it and, when asked, render sample images. The host never loads image data
 * itself; it asks this job when it registers a dataset or shows one.
 */
import { describeDataset, loadDataset, sampleIndices, samplePng } from '../../engine/data';
import type { ToolOutput, ToolPayload } from '../protocol';

export async function runDatasetJob(p: ToolPayload<'dataset'>): Promise<ToolOutput<'dataset'>> {
  const ds = await loadDataset(p.ref, { valFraction: p.valFraction });
  const request = p.samples;
  let samples: ToolOutput<'dataset'>['samples'] = null;
  if (request) {
    const split = ds[request.split];
    samples = sampleIndices(ds, request.split, request.perClass)
      .filter((i) => split.labels[i]! < request.maxClasses)
      .map((index) => {
        const label = split.labels[index]!;
        return {
          index,
          label,
          className: ds.classNames[label] ?? String(label),
          dataUrl: `data:image/png;base64,${samplePng(ds, request.split, index, request.scale).toString('base64')}`,
        };
      });
  }
  return { description: describeDataset(ds), augmentable: ds.augmentable, samples };
}
