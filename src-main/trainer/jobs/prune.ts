/**
 * The `prune` job: importance → groups → selection → shrink, accuracy before and after on the run's
 * test split, and the pruned model written (atomically) to the path the host chose. The host writes
 * the prunes row from the result.
 */
import { paramsFromValues, disposeParams } from '../../engine/models/init';
import { measureImportance, needsProbe } from '../../engine/prune/importance';
import { planPrune } from '../../engine/prune/plan';
import { sizeReport } from '../../engine/prune/report';
import { evaluate } from '../../engine/train/evaluate';
import { probeBatch } from '../../engine/train/loop';
import { writeModelFile, type NamedValues } from '../../engine/train/checkpoint';
import type { ModelSpec } from '../../catalog/models/spec';
import type { Dataset } from '../../engine/data';
import type { ToolOutput, ToolPayload } from '../protocol';
import type { JobContext } from './context';
import { loadSource } from './source';

export async function accuracyOf(spec: ModelSpec, weights: NamedValues, ds: Dataset, split = ds.test): Promise<number> {
  const params = paramsFromValues(weights);
  try {
    return (await evaluate(spec, params, ds, split)).accuracy;
  } finally {
    disposeParams(params);
  }
}

export async function runPruneJob(p: ToolPayload<'prune'>, ctx: JobContext): Promise<ToolOutput<'prune'>> {
  const { ds, file } = await loadSource(p.config, p.modelPath, ctx);
  const probe = needsProbe(p.selection.criterion) ? probeBatch(ds, p.config.probeSize, p.config.seed) : undefined;
  const { scores, means } = await measureImportance(file.spec, file.weights, p.selection.criterion, probe);
  const plan = planPrune(file.spec, file.weights, scores, p.selection, means);
  ctx.post({ type: 'log', level: 'info', message: 'Evaluating the model before and after pruning.' });
  const before = await accuracyOf(file.spec, file.weights, ds);
  const pruned = await accuracyOf(plan.result.spec, plan.result.weights, ds);
  // Validation too: what a study's automatic choices read (the test figures are only reported).
  const validation =
    ds.val.count > 0
      ? { before: await accuracyOf(file.spec, file.weights, ds, ds.val), pruned: await accuracyOf(plan.result.spec, plan.result.weights, ds, ds.val), images: ds.val.count }
      : null;
  writeModelFile(p.outPath, {
    spec: plan.result.spec,
    epoch: 0,
    weights: plan.result.weights,
    optimizerStep: 0,
    optimizer: new Map(),
    extra: { prunedFrom: p.modelPath, selection: p.selection },
  });
  return {
    ...sizeReport(file.spec, plan),
    folded: plan.result.folded,
    accuracy: { before, pruned, finetuned: null },
    evaluatedOn: ds.test.count,
    validation,
    sourceEpoch: file.epoch,
  };
}
