/**
 * The `export` job: write one format into the (temporary) folder the host chose, reload it in the
 * format's own runtime and compare with our forward pass on the first test images.
 */
import { z } from 'zod';
import { writeAndVerify } from '../../engine/export';
import { layerWidths } from '../../engine/prune/report';
import { totalCost } from '../../engine/models/spec';
import type { ToolJob } from '../protocol';
import type { JobContext } from './context';
import { loadSource, parsePayload, sampleInputs, SourcePayload } from './source';

export const ExportPayload = SourcePayload.extend({
  format: z.enum(['tfjs', 'onnx']),
  dir: z.string().min(1),
  samples: z.number().int().min(1).max(256),
});

export async function runExportJob(job: ToolJob, ctx: JobContext): Promise<void> {
  const p = parsePayload(ExportPayload, job.payload, 'export');
  const { ds, file } = await loadSource(job.backend, p.config, p.modelPath, ctx);
  const sample = sampleInputs(ds, p.samples);
  const written = await writeAndVerify(p.format, file.spec, file.weights, p.dir, sample);
  const cost = totalCost(file.spec);
  ctx.post({
    type: 'result',
    result: {
      files: written.files,
      maxAbsDiff: written.maxAbsDiff,
      verifiedOn: `${sample.n} ${ds.name} test images`,
      params: cost.params,
      macs: cost.macs,
      widths: layerWidths(file.spec),
      arch: file.spec.arch,
      inputShape: file.spec.inputShape,
      classes: file.spec.classes,
    },
  });
  ctx.post({ type: 'done', status: 'completed' });
}
