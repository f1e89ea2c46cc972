/**
 * The `export` job: write one format into the (temporary) folder the host chose, reload it in the
 * format's own runtime and compare with our forward pass on the first test images.
 */
import { totalCost } from '../../catalog/models/spec';
import { writeAndVerify } from '../../engine/export';
import { layerWidths } from '../../engine/prune/report';
import type { ToolOutput, ToolPayload } from '../protocol';
import type { JobContext } from './context';
import { loadSource, sampleInputs } from './source';

export async function runExportJob(p: ToolPayload<'export'>, ctx: JobContext): Promise<ToolOutput<'export'>> {
  const { ds, file } = await loadSource(p.config, p.modelPath, ctx);
  const sample = sampleInputs(ds, p.samples);
  const written = await writeAndVerify(p.format, file.spec, file.weights, p.dir, sample);
  const cost = totalCost(file.spec);
  return {
    files: written.files,
    maxAbsDiff: written.maxAbsDiff,
    verifiedOn: `${sample.n} ${ds.name} test images`,
    params: cost.params,
    macs: cost.macs,
    widths: layerWidths(file.spec),
    arch: file.spec.arch,
    inputShape: file.spec.inputShape,
    classes: file.spec.classes,
  };
}
