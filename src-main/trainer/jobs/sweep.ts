/** The `sweep` job: what-if pruning at several thresholds or ratios; nothing is written. */
import { measureImportance, needsProbe } from '../../engine/prune/importance';
import { sweepPoints } from '../../engine/prune/sweep';
import { probeBatch } from '../../engine/train/loop';
import type { ToolOutput, ToolPayload } from '../protocol';
import type { JobContext } from './context';
import { accuracyOf } from './prune';
import { headOf, loadSource } from './source';

export async function runSweepJob(p: ToolPayload<'sweep'>, ctx: JobContext): Promise<ToolOutput<'sweep'>> {
  const { ds, file } = await loadSource(p.config, p.modelPath, ctx);
  const probe = needsProbe(p.options.criterion) ? probeBatch(ds, p.config.probeSize, p.config.seed) : undefined;
  const { scores, means } = await measureImportance(file.spec, file.weights, p.options.criterion, probe);
  // The reference and every point on the same validation images: never the test split, which
  // would make a threshold chosen from the sweep a choice made on test.
  if (ds.val.count === 0) throw new Error('The run has no validation set (it was trained before validation splits existed); a sweep measures on validation images only.');
  const val = headOf(ds, ds.val, p.options.valLimit);
  const reference = { split: 'val' as const, accuracy: await accuracyOf(file.spec, file.weights, ds, val), images: val.count };
  const points = await sweepPoints(
    file.spec,
    file.weights,
    scores,
    p.options,
    (spec, weights) => accuracyOf(spec, weights, ds, val),
    (done, total) => ctx.post({ type: 'tool-progress', done, total }),
    means,
  );
  return { points, evaluatedOn: val.count, reference };
}
