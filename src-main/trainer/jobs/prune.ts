/**
 * The `prune` job: importance → groups → selection → shrink, accuracy before and after on the run's
 * test split, and the pruned model written (atomically) to the path the host chose. The host writes
 * the prunes row from the result.
 */
import { z } from 'zod';
import { paramsFromValues, disposeParams } from '../../engine/models/init';
import { measureImportance, needsProbe } from '../../engine/prune/importance';
import { planPrune } from '../../engine/prune/plan';
import { sizeReport } from '../../engine/prune/report';
import { evaluate } from '../../engine/train/evaluate';
import { probeBatch } from '../../engine/train/loop';
import { writeModelFile, type NamedValues } from '../../engine/train/checkpoint';
import type { ModelSpec } from '../../engine/models/spec';
import type { Dataset } from '../../engine/data';
import { SelectionOptions } from '../../shared/prune-types';
import type { ToolJob } from '../protocol';
import type { JobContext } from './context';
import { loadSource, parsePayload, SourcePayload } from './source';

export const PrunePayload = SourcePayload.extend({
  selection: SelectionOptions,
  outPath: z.string().min(1),
});
export type PrunePayload = z.infer<typeof PrunePayload>;

export function accuracyOf(spec: ModelSpec, weights: NamedValues, ds: Dataset, split = ds.test): number {
  const params = paramsFromValues(weights);
  try {
    return evaluate(spec, params, ds, split).accuracy;
  } finally {
    disposeParams(params);
  }
}

export async function runPruneJob(job: ToolJob, ctx: JobContext): Promise<void> {
  const p = parsePayload(PrunePayload, job.payload, 'prune');
  const { ds, file } = await loadSource(job.backend, p.config, p.modelPath, ctx);
  const probe = needsProbe(p.selection.criterion) ? probeBatch(ds, p.config.probeSize, p.config.seed) : undefined;
  const { scores, means } = measureImportance(file.spec, file.weights, p.selection.criterion, probe);
  const plan = planPrune(file.spec, file.weights, scores, p.selection, means);
  ctx.post({ type: 'log', level: 'info', message: 'Evaluating the model before and after pruning.' });
  const before = accuracyOf(file.spec, file.weights, ds);
  const pruned = accuracyOf(plan.result.spec, plan.result.weights, ds);
  writeModelFile(p.outPath, {
    spec: plan.result.spec,
    epoch: 0,
    weights: plan.result.weights,
    optimizerStep: 0,
    optimizer: new Map(),
    extra: { prunedFrom: p.modelPath, selection: p.selection },
  });
  ctx.post({
    type: 'result',
    result: {
      ...sizeReport(file.spec, plan),
      folded: plan.result.folded,
      accuracy: { before, pruned, finetuned: null },
      evaluatedOn: ds.test.count,
      sourceEpoch: file.epoch,
    },
  });
  ctx.post({ type: 'done', status: 'completed' });
}
