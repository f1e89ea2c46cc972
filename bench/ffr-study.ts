/**
 * `npx tsx bench/ffr-study.ts --runs "none; ffr align=rank-pad lambdaLength=0.5; slimming lambda=0.03" [options]`
 *
 * The measurements behind the FFR variants, the default λ per regularizer and the default importance
 * in docs/ffr.md. Each run trains exactly what `ffr train --model M --dataset mnist --train-limit N
 * --test-limit 1000 --epochs E …` trains (same engine, data subset, seed and defaults), in this
 * process and without the store, then:
 *
 * - test accuracy (the run's 1,000 test digits) — reported, never used to choose anything;
 * - selection accuracy on 1,000 *training* digits that the run did not train on (stratified from the
 *   bundled training split's remainder): every choice below is made on it;
 * - structured sparsity of the last snapshot by spread (the headline) and by activity, per layer, and
 *   which channel indices are "dead" (spread ≤ 0.01) — the index pattern shows index-pad's bias;
 * - pruning by the regularizer's default importance at several thresholds, with the threshold chosen
 *   as the largest one whose selection accuracy stays within 1 point of the unpruned model's; its
 *   test accuracy, parameters and MACs.
 *
 * Options: --model lenet5|mlp|resnet20 --width W --epochs E --train-limit N --seed S
 *          --thresholds 0.01,0.02,… --criteria spread,activity,bn (also pruned by these, same model)
 *          --out bench/results/ffr-study.jsonl (one JSON line per run, appended)
 * Environment: FFR_WASM_THREADS=1 keeps one core per run on a shared machine. Runs go one after the other.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { selectBackend } from '../src-main/engine/backend/select';
import { loadDataset, type Dataset } from '../src-main/engine/data';
import { gather, stratifiedPick } from '../src-main/engine/data/split';
import { imageSize } from '../src-main/engine/data/types';
import { buildModelSpec } from '../src-main/catalog/models/builders';
import { disposeParams, initialWeightValues, paramsFromValues } from '../src-main/engine/models/init';
import { totalCost, type ModelSpec } from '../src-main/catalog/models/spec';
import { measureImportance, needsProbe } from '../src-main/engine/prune/importance';
import { planPrune } from '../src-main/engine/prune/plan';
import { layerWidths } from '../src-main/engine/prune/report';
import { PruneInputError } from '../src-main/engine/prune/select';
import { hashString } from '../src-main/engine/rng';
import { summarizeSparsity } from '../src-main/shared/sparsity';
import { readModelFile, type NamedValues } from '../src-main/engine/train/checkpoint';
import { evaluate } from '../src-main/engine/train/evaluate';
import { probeBatch, trainRun, type EpochRecord } from '../src-main/engine/train/loop';
import type { PruneCriterion } from '../src-main/shared/prune-types';
import { DEFAULT_IMPORTANCE, defaultRunConfig, type ModelName, type RunConfig } from '../src-main/shared/run-config';
import { parseArgs } from './lib/args';

const args = parseArgs(process.argv.slice(2));
const model = (args.get('model') ?? 'lenet5') as ModelName;
const width = Number(args.get('width') ?? 1);
const epochs = Number(args.get('epochs') ?? 3);
const trainLimit = Number(args.get('train-limit') ?? 4000);
const testLimit = 1000;
const selectionSize = 1000;
const seed = Number(args.get('seed') ?? 1);
const thresholds = (args.get('thresholds') ?? '0.01,0.02,0.05,0.1,0.2').split(',').map(Number);
const out = args.get('out') ?? path.join('bench', 'results', 'ffr-study.jsonl');
const runs = (args.get('runs') ?? 'none; ffr').split(';').map((r) => r.trim()).filter(Boolean);

/** "ffr align=rank-pad lambdaLength=0.5" → a RunConfig like the CLI's for these flags. */
function configOf(run: string): RunConfig {
  const [regularizer, ...pairs] = run.split(/\s+/) as [RunConfig['regularizer'], ...string[]];
  const kv = new Map(pairs.map((p) => p.split('=') as [string, string]));
  const num = (k: string) => (kv.has(k) ? Number(kv.get(k)) : undefined);
  const ffr = {
    ...(kv.has('align') ? { align: kv.get('align') } : {}),
    ...(kv.has('norm') ? { norm: kv.get('norm') } : {}),
    ...(kv.has('curvature') ? { curvature: kv.get('curvature') } : {}),
    ...(num('lambdaLength') !== undefined ? { lambdaLength: num('lambdaLength') } : {}),
    ...(num('lambdaCurvature') !== undefined ? { lambdaCurvature: num('lambdaCurvature') } : {}),
  };
  // completeRunConfig fills the rest as for any partial config: the rate follows the model, the
  // FFR options are merged over DEFAULT_FFR, λ and the group-lasso group follow the regularizer.
  return defaultRunConfig({
    model,
    width,
    epochs,
    trainLimit,
    testLimit,
    seed,
    backend: 'wasm',
    regularizer,
    ...(regularizer === 'ffr' ? { ffr } : {}),
    ...(num('lambda') !== undefined ? { lambda: num('lambda') } : {}),
    stepEvery: Math.max(1, Math.round(epochs / 3)),
    ...(kv.has('group') ? { groupLassoGroup: kv.get('group') } : {}),
  });
}

/** 1,000 training digits the runs do not train on: the selection set. */
async function selectionSplit(): Promise<Dataset['train']> {
  const full = await loadDataset({ name: 'mnist' });
  // The same stratified pick loadDataset makes for trainLimit (data seed 0): its complement is unused.
  const { rest } = stratifiedPick(full.train.labels, full.train.count, full.classes, trainLimit, hashString('limit:train:0'));
  const remainder = gather(full.train, rest, imageSize(full.shape));
  const { picked } = stratifiedPick(remainder.labels, remainder.count, full.classes, selectionSize, hashString('selection'));
  return gather(remainder, picked, imageSize(full.shape));
}

async function accuracy(spec: ModelSpec, weights: NamedValues, ds: Dataset, split: Dataset['train']): Promise<number> {
  const params = paramsFromValues(weights);
  try {
    return (await evaluate(spec, params, ds, split)).accuracy;
  } finally {
    disposeParams(params);
  }
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

async function main(): Promise<void> {
  const backend = await selectBackend('wasm');
  const selection = await selectionSplit();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  for (const run of runs) {
    const config = configOf(run);
    const ds = await loadDataset(config.dataset, { trainLimit, testLimit });
    const spec = buildModelSpec(config.model, { inputShape: ds.shape, classes: ds.classes, width: config.width, shortcut: config.shortcut });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-study-'));
    const began = Date.now();
    let last: EpochRecord | undefined;
    await trainRun(config, ds, { spec, weights: initialWeightValues(spec, config.seed), epoch: 0 }, dir, {
      onEpoch: (r) => {
        last = r;
        process.stderr.write(`${run}: epoch ${r.metrics.epoch} test ${(r.metrics.testAccuracy * 100).toFixed(2)} %\n`);
      },
    });
    if (!last) throw new Error(`${run}: no epoch recorded.`);
    const weights = readModelFile(last.checkpoint.path).weights;
    fs.rmSync(dir, { recursive: true, force: true });
    const threshold = config.sparsityThreshold;
    const layers = last.snapshots.map((s) => ({
      layer: s.layer,
      channels: s.channels,
      spread: r4(s.structuredSparsity),
      activity: r4(s.activity.values.filter((v) => v <= threshold).length / s.channels),
      dead: (s.spread?.values ?? []).flatMap((v, i) => (v <= threshold ? [i] : [])),
    }));
    const summary = summarizeSparsity(last.snapshots)!;
    const activityOverall = layers.reduce((a, l) => a + l.activity * l.channels, 0) / layers.reduce((a, l) => a + l.channels, 0);
    const base = { selection: await accuracy(spec, weights, ds, selection), test: last.metrics.testAccuracy };
    const cost = totalCost(spec);

    // The default importance of the regularizer first, then the others asked for (same trained model).
    const criterion: PruneCriterion = DEFAULT_IMPORTANCE[config.regularizer];
    const criteria = [criterion, ...(args.get('criteria')?.split(',') ?? ['spread', 'activity', 'bn']).filter((c) => c !== criterion)] as PruneCriterion[];
    type Point = { threshold: number; selection: number; test: number; params: number; macs: number; widths: Record<string, number> };
    const byCriterion: Record<string, { prunes: Array<Point | null>; chosen: Point | null }> = {};
    for (const crit of criteria) {
      const probe = needsProbe(crit) ? probeBatch(ds, config.probeSize, config.seed) : undefined;
      const { scores, means } = await measureImportance(spec, weights, crit, probe);
      const points: Array<Point | null> = [];
      for (const t of thresholds) {
        let plan;
        try {
          plan = planPrune(spec, weights, scores, { criterion: crit, scope: 'layer', aggregate: 'max', threshold: t, minChannels: 1 }, means);
        } catch (e) {
          if (e instanceof PruneInputError) {
            points.push(null);
            continue;
          }
          throw e;
        }
        const c = totalCost(plan.result.spec);
        points.push({
          threshold: t,
          selection: await accuracy(plan.result.spec, plan.result.weights, ds, selection),
          test: await accuracy(plan.result.spec, plan.result.weights, ds, ds.test),
          params: c.params,
          macs: c.macs,
          widths: layerWidths(plan.result.spec),
        });
      }
      // The largest threshold whose selection accuracy stays within 1 point of the unpruned model's.
      const ok = points.filter((p): p is Point => p !== null && p.selection >= base.selection - 0.01);
      const best = ok.length > 0 ? ok.reduce((a, b) => (b.threshold > a.threshold ? b : a)) : null;
      byCriterion[crit] = { prunes: points, chosen: best };
    }
    const { prunes, chosen } = byCriterion[criterion]!;
    const record = {
      run,
      model,
      width,
      epochs,
      trainLimit,
      seed,
      backend,
      // The regularizer's own settings (the union holds only those): ffr, or lambda (and the group).
      config: Object.fromEntries(Object.entries(config).filter(([k]) => ['regularizer', 'ffr', 'lambda', 'groupLassoGroup'].includes(k))),
      seconds: Math.round((Date.now() - began) / 1000),
      accuracy: { test: r4(base.test), selection: r4(base.selection) },
      structured: { spread: r4(summary.structured), activity: r4(activityOverall) },
      unstructured: r4(summary.unstructured),
      layers,
      params: cost.params,
      macs: cost.macs,
      criterion,
      prunes,
      chosen,
      byCriterion,
    };
    fs.appendFileSync(out, `${JSON.stringify(record)}\n`);
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    console.log(
      `| ${run} | ${pct(base.test)} | ${pct(base.selection)} | ${pct(summary.structured)} | ${pct(activityOverall)} | ` +
        layers.map((l) => `${l.layer} ${l.dead.length}/${l.channels}`).join(', ') +
        ` | ${criterion} ≤ ${chosen?.threshold ?? '—'} | ${chosen ? `${pct(chosen.test)}, ${chosen.macs} MACs` : '—'} |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
