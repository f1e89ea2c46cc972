/** The `sweep` job: what-if pruning at several thresholds or ratios; nothing is written. */
import { measureImportance, needsProbe } from '../../engine/prune/importance';
import { sweepPoints } from '../../engine/prune/sweep';
import { probeBatch } from '../../engine/train/loop';
import { SweepOptions } from '../../shared/prune-types';
import type { ToolJob } from '../protocol';
import type { JobContext } from './context';
import { accuracyOf } from './prune';
import { headOf, loadSource, parsePayload, SourcePayload } from './source';

export const SweepPayload = SourcePayload.extend({ options: SweepOptions });

export async function runSweepJob(job: ToolJob, ctx: JobContext): Promise<void> {
  const p = parsePayload(SweepPayload, job.payload, 'sweep');
  const { ds, file } = await loadSource(job.backend, p.config, p.modelPath, ctx);
  const probe = needsProbe(p.options.criterion) ? probeBatch(ds, p.config.probeSize, p.config.seed) : undefined;
  const { scores, means } = measureImportance(file.spec, file.weights, p.options.criterion, probe);
  const val = headOf(ds, ds.test, p.options.valLimit);
  const points = sweepPoints(
    file.spec,
    file.weights,
    scores,
    p.options,
    (spec, weights) => accuracyOf(spec, weights, ds, val),
    (done, total) => ctx.post({ type: 'log', level: 'info', message: `sweep point ${done}/${total}` }),
    means,
  );
  ctx.post({ type: 'result', result: { points, evaluatedOn: val.count } });
  ctx.post({ type: 'done', status: 'completed' });
}
