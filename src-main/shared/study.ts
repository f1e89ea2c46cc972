/**
 * Studies: a grid regularizer × λ × seed over one base config, each run trained, pruned by one rule
 * and fine-tuned, then summarized per (regularizer, λ) as mean ± std over seeds. This module holds
 * what every side agrees on: the spec and its text forms (the CLI's `--regularizers` and `--prune`),
 * the per-point results, and the pure summaries (groups, the validation-chosen λ, the Pareto front,
 * CSV and Markdown). Orchestration is the host's (services/studies.ts).
 *
 * Runtime-free apart from zod: the renderer imports it too.
 */
import { z } from 'zod';
import { Executor, SlurmSettings } from './executor';
import { FFR_ALIGNS, GROUP_LASSO_GROUPS, REGULARIZERS, RegularizerName, type RunConfigInput } from './run-config';

// ---------------------------------------------------------------------------------------------
// The grid

/**
 * One row of the grid: a regularizer, optionally a variant of it, and the weights to try. The
 * variant is the FFR alignment (`ffr/index-pad`) or the group-lasso group (`group-lasso/filter`),
 * so variants compare as curves of their own. `none` has no weight (lambdas: [null]).
 */
export const GridEntry = z.object({
  regularizer: RegularizerName,
  variant: z.string().min(1).nullable(),
  lambdas: z.array(z.number().min(0).max(100).nullable()).min(1),
});
export type GridEntry = z.infer<typeof GridEntry>;

/** The name a grid entry's curve and groups go by: `ffr`, `ffr/index-pad`, `slimming`, `none`. */
export function entryLabel(e: { regularizer: string; variant: string | null }): string {
  return e.variant ? `${e.regularizer}/${e.variant}` : e.regularizer;
}

/** The variants a regularizer accepts after `/`: the FFR alignments, the group-lasso groups (docs/ffr.md). */
export function variantsOf(regularizer: RegularizerName): readonly string[] {
  return regularizer === 'ffr' ? FFR_ALIGNS : regularizer === 'group-lasso' ? GROUP_LASSO_GROUPS : [];
}

/**
 * Parses `ffr=0.3,0.5;slimming=0.03;none` (and `ffr/index-pad=0.4`): entries separated by `;`,
 * each `regularizer[/variant]=λ,λ,…` or a bare `none`. Throws one sentence naming what is wrong.
 */
export function parseGrid(text: string): GridEntry[] {
  const parts = text.split(';').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new Error('--regularizers is empty; give e.g. "ffr=0.3,0.5;slimming=0.03;none".');
  const seen = new Set<string>();
  return parts.map((part) => {
    const [head, values, extra] = part.split('=').map((s) => s.trim());
    if (extra !== undefined) throw new Error(`--regularizers entry "${part}" has more than one "=".`);
    const [name, variant, more] = head!.split('/').map((s) => s.trim());
    if (more !== undefined) throw new Error(`--regularizers entry "${part}" has more than one "/".`);
    const regularizer = RegularizerName.safeParse(name);
    if (!regularizer.success) throw new Error(`--regularizers entry "${part}": "${name}" is not a regularizer (${REGULARIZERS.join(', ')}).`);
    const r = regularizer.data;
    if (variant !== undefined && !variantsOf(r).includes(variant)) {
      throw new Error(
        variantsOf(r).length === 0
          ? `--regularizers entry "${part}": ${r} has no variants.`
          : `--regularizers entry "${part}": "${variant}" is not a variant of ${r} (${variantsOf(r).join(', ')}).`,
      );
    }
    const label = entryLabel({ regularizer: r, variant: variant ?? null });
    if (seen.has(label)) throw new Error(`--regularizers names ${label} twice; list its weights in one entry.`);
    seen.add(label);
    if (r === 'none') {
      if (values !== undefined) throw new Error(`--regularizers entry "${part}": none takes no weight.`);
      return { regularizer: r, variant: null, lambdas: [null] };
    }
    if (values === undefined || values === '') throw new Error(`--regularizers entry "${part}" gives no weight; write ${label}=λ[,λ…].`);
    const lambdas = values.split(',').map((v) => {
      const x = Number(v.trim());
      if (v.trim() === '' || !Number.isFinite(x) || x < 0 || x > 100) throw new Error(`--regularizers entry "${part}": weight "${v.trim()}" is not a number from 0 to 100.`);
      return x;
    });
    if (new Set(lambdas).size !== lambdas.length) throw new Error(`--regularizers entry "${part}" repeats a weight.`);
    return { regularizer: r, variant: variant ?? null, lambdas };
  });
}

/** The grid back as text (what `parseGrid` reads). */
export function formatGrid(grid: readonly GridEntry[]): string {
  return grid.map((e) => (e.regularizer === 'none' ? 'none' : `${entryLabel(e)}=${e.lambdas.join(',')}`)).join(';');
}

/**
 * The settings one grid cell adds to the base config: the regularizer, its weight and variant.
 * FFR's weight is λ_length; its other options come from the base config (or the defaults).
 */
export function cellConfig(base: RunConfigInput, e: GridEntry, lambda: number | null, seed: number): RunConfigInput {
  const { ffr: baseFfr, lambda: _baseLambda, regularizer: _r, groupLassoGroup: _g, ...rest } = base;
  const cell: RunConfigInput = { ...rest, regularizer: e.regularizer, seed };
  if (e.regularizer === 'ffr') {
    const ffr = typeof baseFfr === 'object' && baseFfr !== null ? { ...(baseFfr as Record<string, unknown>) } : {};
    if (lambda !== null) ffr.lambdaLength = lambda;
    if (e.variant) ffr.align = e.variant;
    cell.ffr = ffr;
  } else if (e.regularizer !== 'none' && lambda !== null) {
    cell.lambda = lambda;
    if (e.regularizer === 'group-lasso' && e.variant) cell.groupLassoGroup = e.variant;
  }
  return cell;
}

// ---------------------------------------------------------------------------------------------
// The prune rule

/**
 * How every run of a study is pruned (docs/ffr.md, "Studies"):
 * - threshold: at the given relative importance threshold as is (per layer), nothing chosen.
 * - knee: the threshold chosen on validation: the largest of a fixed grid whose validation accuracy
 *   is within `drop` of the unpruned model's (the Prune page's knee, shared/knee.ts).
 * - macs: to at most `fraction` of the run's MACs: the smallest global ratio that reaches it.
 * Each by the importance that suits the run's regularizer (its default), unless `criterion` is set.
 */
export const PruneRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('threshold'), threshold: z.number().min(0).max(1) }),
  z.object({ kind: z.literal('knee'), drop: z.number().min(0).max(1) }),
  z.object({ kind: z.literal('macs'), fraction: z.number().gt(0).max(1) }),
]);
export type PruneRule = z.infer<typeof PruneRule>;

/** `threshold=0.01`, `knee=0.01`, `macs=0.5` → a rule; one sentence when malformed. */
export function parsePruneRule(text: string): PruneRule {
  const m = /^\s*(threshold|knee|macs)\s*=\s*([^\s]+)\s*$/.exec(text);
  if (!m) throw new Error(`--prune must be threshold=T, knee=D or macs=F (e.g. macs=0.5), got "${text}".`);
  const value = Number(m[2]);
  const kind = m[1] as PruneRule['kind'];
  const rule = kind === 'threshold' ? { kind, threshold: value } : kind === 'knee' ? { kind, drop: value } : { kind, fraction: value };
  const parsed = PruneRule.safeParse(rule);
  if (!parsed.success || !Number.isFinite(value)) {
    throw new Error(kind === 'macs' ? `--prune macs=F needs F in (0, 1], got ${m[2]}.` : `--prune ${kind}=… needs a number from 0 to 1, got ${m[2]}.`);
  }
  return parsed.data;
}

export function formatPruneRule(r: PruneRule): string {
  return r.kind === 'threshold' ? `threshold=${r.threshold}` : r.kind === 'knee' ? `knee=${r.drop}` : `macs=${r.fraction}`;
}

// ---------------------------------------------------------------------------------------------
// The spec, points and results

export const StudySpec = z.object({
  /** The base config every run starts from (validated per cell when the study is created). */
  base: z.record(z.string(), z.unknown()),
  grid: z.array(GridEntry).min(1),
  seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1),
  prune: PruneRule,
  finetuneEpochs: z.number().int().min(0).max(10_000),
  /** An importance for every run instead of each regularizer's default (docs/pruning.md). */
  criterion: z.string().nullable().default(null),
});
export type StudySpec = z.infer<typeof StudySpec>;

export const STUDY_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export const StudyStatus = z.enum(STUDY_STATUSES);
export type StudyStatus = z.infer<typeof StudyStatus>;

/** Where one grid cell is: its run trains, is pruned, its fine-tune trains, done (or failed). */
export const POINT_STATES = ['pending', 'training', 'pruning', 'finetuning', 'done', 'failed'] as const;
export const PointState = z.enum(POINT_STATES);
export type PointState = z.infer<typeof PointState>;

const Acc = z.number().nullable();

/** What a finished point measured. Accuracies are fractions; params and MACs per image. */
export const PointResult = z.object({
  valAccuracy: Acc,
  testAccuracy: z.number(),
  params: z.number().int(),
  macs: z.number().int(),
  /** Structured sparsity of the trained run (its headline measure, last epoch). */
  sparsity: z.number().nullable(),
  pruned: z.object({
    params: z.number().int(),
    macs: z.number().int(),
    valAccuracy: Acc,
    testAccuracy: z.number(),
    /** What the rule settled on: the threshold or the global ratio. */
    threshold: z.number().nullable(),
    ratio: z.number().nullable(),
    criterion: z.string(),
  }),
  /** null without fine-tuning (finetuneEpochs 0). */
  finetuned: z.object({ valAccuracy: Acc, testAccuracy: z.number() }).nullable(),
});
export type PointResult = z.infer<typeof PointResult>;

export const StudyPoint = z.object({
  index: z.number().int().min(0),
  /** The curve it belongs to: `ffr`, `ffr/index-pad`, `slimming`, `none`. */
  label: z.string(),
  regularizer: RegularizerName,
  lambda: z.number().nullable(),
  seed: z.number().int(),
  state: PointState,
  runId: z.string().nullable(),
  pruneId: z.string().nullable(),
  finetuneRunId: z.string().nullable(),
  result: PointResult.nullable(),
  error: z.string().nullable(),
});
export type StudyPoint = z.infer<typeof StudyPoint>;

export const Study = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  name: z.string(),
  spec: StudySpec,
  status: StudyStatus,
  error: z.string().nullable(),
  /** Where the study's runs train (docs/slurm.md), and with `slurm` the job settings they are submitted with. */
  executor: Executor.default('local'),
  slurm: SlurmSettings.nullable().default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Study = z.infer<typeof Study>;

// ---------------------------------------------------------------------------------------------
// Summaries

/** The numbers a group averages, by name (the keys of `mean` and `std`). */
export const GROUP_MEASURES = [
  'valAccuracy',
  'testAccuracy',
  'sparsity',
  'macsKept',
  'paramsKept',
  'prunedValAccuracy',
  'prunedTestAccuracy',
  'finetunedValAccuracy',
  'finetunedTestAccuracy',
  'finalValAccuracy',
  'finalTestAccuracy',
] as const;
export type GroupMeasure = (typeof GROUP_MEASURES)[number];

const MeasureRecord = z.record(z.string(), z.number().nullable());

export const StudyGroup = z.object({
  label: z.string(),
  regularizer: RegularizerName,
  lambda: z.number().nullable(),
  /** Finished points (seeds) in the group. */
  n: z.number().int(),
  mean: MeasureRecord,
  /** Sample standard deviation (n − 1); null with fewer than two points. */
  std: MeasureRecord,
  /** The λ of its curve chosen on validation: the best mean final validation accuracy. */
  selected: z.boolean(),
});
export type StudyGroup = z.infer<typeof StudyGroup>;

/** A point's numbers by measure name; the final accuracy is the fine-tuned one, else the pruned one. */
export function pointMeasures(r: PointResult): Record<GroupMeasure, number | null> {
  const finalVal = r.finetuned ? r.finetuned.valAccuracy : r.pruned.valAccuracy;
  const finalTest = r.finetuned ? r.finetuned.testAccuracy : r.pruned.testAccuracy;
  return {
    valAccuracy: r.valAccuracy,
    testAccuracy: r.testAccuracy,
    sparsity: r.sparsity,
    macsKept: r.macs > 0 ? r.pruned.macs / r.macs : null,
    paramsKept: r.params > 0 ? r.pruned.params / r.params : null,
    prunedValAccuracy: r.pruned.valAccuracy,
    prunedTestAccuracy: r.pruned.testAccuracy,
    finetunedValAccuracy: r.finetuned?.valAccuracy ?? null,
    finetunedTestAccuracy: r.finetuned?.testAccuracy ?? null,
    finalValAccuracy: finalVal,
    finalTestAccuracy: finalTest,
  };
}

function meanStd(values: number[]): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: null };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Groups the finished points by (label, λ) with mean and std of every measure, and marks per label
 * the λ with the best mean final VALIDATION accuracy (ties: the larger λ, which prunes more). Test
 * accuracy is averaged and shown, never used to choose.
 */
export function studyGroups(points: readonly StudyPoint[]): StudyGroup[] {
  const byKey = new Map<string, StudyPoint[]>();
  for (const p of points) {
    const key = `${p.label}|${p.lambda ?? ''}`;
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  const groups: StudyGroup[] = [];
  for (const members of byKey.values()) {
    const first = members[0]!;
    const done = members.filter((p) => p.state === 'done' && p.result !== null).map((p) => pointMeasures(p.result!));
    const mean: Record<string, number | null> = {};
    const std: Record<string, number | null> = {};
    for (const m of GROUP_MEASURES) {
      const s = meanStd(done.map((d) => d[m]).filter((v): v is number => v !== null));
      mean[m] = s.mean;
      std[m] = s.std;
    }
    groups.push({ label: first.label, regularizer: first.regularizer, lambda: first.lambda, n: done.length, mean, std, selected: false });
  }
  const labels = [...new Set(groups.map((g) => g.label))];
  for (const label of labels) {
    let best: StudyGroup | null = null;
    for (const g of groups.filter((x) => x.label === label && x.mean.finalValAccuracy !== null)) {
      const acc = g.mean.finalValAccuracy!;
      const bestAcc = best?.mean.finalValAccuracy ?? -Infinity;
      if (best === null || acc > bestAcc || (acc === bestAcc && (g.lambda ?? 0) > (best.lambda ?? 0))) best = g;
    }
    if (best) best.selected = true;
  }
  return groups;
}

/**
 * The points on the Pareto front of (MACs after pruning ↓, final validation accuracy ↑): no other
 * finished point is at least as small and at least as accurate, and better in one of the two.
 * Validation, because the front is a choice; the plot shows test accuracy beside it.
 */
export function paretoIndices(points: readonly StudyPoint[]): Set<number> {
  const done = points.filter((p) => p.state === 'done' && p.result !== null);
  const front = new Set<number>();
  for (const p of done) {
    const a = pointMeasures(p.result!);
    if (a.finalValAccuracy === null) continue;
    const dominated = done.some((q) => {
      if (q === p) return false;
      const b = pointMeasures(q.result!);
      if (b.finalValAccuracy === null) return false;
      const noWorse = q.result!.pruned.macs <= p.result!.pruned.macs && b.finalValAccuracy >= a.finalValAccuracy!;
      const better = q.result!.pruned.macs < p.result!.pruned.macs || b.finalValAccuracy > a.finalValAccuracy!;
      return noWorse && better;
    });
    if (!dominated) front.add(p.index);
  }
  return front;
}

// ---------------------------------------------------------------------------------------------
// Tables

const pctText = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? '' : (v * 100).toFixed(digits));
const pm = (mean: number | null | undefined, std: number | null | undefined, digits = 2): string =>
  mean === null || mean === undefined ? '—' : std === null || std === undefined ? `${pctText(mean, digits)}` : `${pctText(mean, digits)} ± ${pctText(std, digits)}`;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per point: the grid cell, its runs and every number (fractions, not percent). */
export function studyCsv(points: readonly StudyPoint[]): string {
  const front = paretoIndices(points);
  const header = [
    'index', 'label', 'regularizer', 'lambda', 'seed', 'state', 'runId', 'pruneId', 'finetuneRunId',
    'valAccuracy', 'testAccuracy', 'params', 'macs', 'sparsity',
    'prunedCriterion', 'prunedThreshold', 'prunedRatio', 'prunedParams', 'prunedMacs', 'prunedValAccuracy', 'prunedTestAccuracy',
    'finetunedValAccuracy', 'finetunedTestAccuracy', 'pareto', 'error',
  ];
  const rows = points.map((p) => {
    const r = p.result;
    return [
      p.index, p.label, p.regularizer, p.lambda, p.seed, p.state, p.runId, p.pruneId, p.finetuneRunId,
      r?.valAccuracy, r?.testAccuracy, r?.params, r?.macs, r?.sparsity,
      r?.pruned.criterion, r?.pruned.threshold, r?.pruned.ratio, r?.pruned.params, r?.pruned.macs, r?.pruned.valAccuracy, r?.pruned.testAccuracy,
      r?.finetuned?.valAccuracy, r?.finetuned?.testAccuracy, front.has(p.index), p.error,
    ].map(csvCell).join(',');
  });
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/**
 * Markdown: the validation-chosen λ of each curve (test accuracy mean ± std beside it), then every
 * (regularizer, λ) group. Accuracies in percent, MACs and params kept as a share of the unpruned run.
 */
export function studyMarkdown(study: Pick<Study, 'id' | 'name' | 'spec'>, points: readonly StudyPoint[]): string {
  const groups = studyGroups(points);
  const lines: string[] = [];
  const rule = formatPruneRule(study.spec.prune);
  lines.push(`Study ${study.id} (${study.name}): ${formatGrid(study.spec.grid)}; seeds ${study.spec.seeds.join(', ')}; prune ${rule}; fine-tune ${study.spec.finetuneEpochs} epoch(s).`);
  lines.push('');
  lines.push('λ chosen on validation (best mean final validation accuracy); test accuracy mean ± std over seeds:');
  lines.push('');
  lines.push('| regularizer | λ | n | MACs kept | params kept | val acc (final) | test acc unpruned | test acc pruned | test acc fine-tuned |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const g of groups.filter((x) => x.selected)) {
    lines.push(
      `| ${g.label} | ${g.lambda ?? '—'} | ${g.n} | ${pm(g.mean.macsKept, g.std.macsKept, 1)} | ${pm(g.mean.paramsKept, g.std.paramsKept, 1)} | ${pm(g.mean.finalValAccuracy, g.std.finalValAccuracy)} | ` +
        `${pm(g.mean.testAccuracy, g.std.testAccuracy)} | ${pm(g.mean.prunedTestAccuracy, g.std.prunedTestAccuracy)} | ${pm(g.mean.finetunedTestAccuracy, g.std.finetunedTestAccuracy)} |`,
    );
  }
  lines.push('');
  lines.push('Every group:');
  lines.push('');
  lines.push('| regularizer | λ | n | sparsity | MACs kept | val acc (final) | test acc unpruned | test acc pruned | test acc fine-tuned | chosen |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const g of groups) {
    lines.push(
      `| ${g.label} | ${g.lambda ?? '—'} | ${g.n} | ${pm(g.mean.sparsity, g.std.sparsity, 1)} | ${pm(g.mean.macsKept, g.std.macsKept, 1)} | ${pm(g.mean.finalValAccuracy, g.std.finalValAccuracy)} | ` +
        `${pm(g.mean.testAccuracy, g.std.testAccuracy)} | ${pm(g.mean.prunedTestAccuracy, g.std.prunedTestAccuracy)} | ${pm(g.mean.finetunedTestAccuracy, g.std.finetunedTestAccuracy)} | ${g.selected ? '✓' : ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// The report (`ffr study run|show --json`, `studies.get`)

export const StudyReportPoint = z.object({
  index: z.number().int(),
  label: z.string(),
  runId: z.string().nullable(),
  regularizer: RegularizerName,
  lambda: z.number().nullable(),
  seed: z.number().int(),
  state: PointState,
  error: z.string().nullable(),
  pruneId: z.string().nullable(),
  finetuneRunId: z.string().nullable(),
  valAccuracy: z.number().nullable(),
  testAccuracy: z.number().nullable(),
  params: z.number().int().nullable(),
  macs: z.number().int().nullable(),
  sparsity: z.number().nullable(),
  pruned: PointResult.shape.pruned.nullable(),
  finetuned: PointResult.shape.finetuned,
  /** On the Pareto front of (MACs after pruning, final validation accuracy). */
  pareto: z.boolean(),
  /** Where the point's run trained, and its (latest) Slurm job; null before the run exists / for a local run. */
  executor: Executor.nullable().default(null),
  slurmJobId: z.string().nullable().default(null),
  slurmState: z.string().nullable().default(null),
  /** The Slurm job of the point's fine-tune run, if it trained on Slurm. */
  finetuneSlurmJobId: z.string().nullable().default(null),
});
export type StudyReportPoint = z.infer<typeof StudyReportPoint>;

export const StudyReport = z.object({
  studyId: z.string(),
  name: z.string(),
  projectId: z.string().nullable(),
  status: StudyStatus,
  error: z.string().nullable(),
  spec: StudySpec,
  executor: Executor,
  slurm: SlurmSettings.nullable(),
  progress: z.object({ done: z.number().int(), failed: z.number().int(), total: z.number().int() }),
  points: z.array(StudyReportPoint),
  groups: z.array(StudyGroup),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StudyReport = z.infer<typeof StudyReport>;

/** Where a run trained, as a study report shows it (looked up in the store by the host). */
export interface RunExecution {
  executor: Executor;
  slurmJobId: string | null;
  slurmState: string | null;
}

/** `execution`: where each point's runs trained (by run id; null for a run that is gone). */
function pointExecution(
  p: StudyPoint,
  execution: (runId: string) => RunExecution | null,
): Pick<StudyReportPoint, 'executor' | 'slurmJobId' | 'slurmState' | 'finetuneSlurmJobId'> {
  const run = p.runId === null ? null : execution(p.runId);
  const finetune = p.finetuneRunId === null ? null : execution(p.finetuneRunId);
  return { executor: run?.executor ?? null, slurmJobId: run?.slurmJobId ?? null, slurmState: run?.slurmState ?? null, finetuneSlurmJobId: finetune?.slurmJobId ?? null };
}

export function studyReport(study: Omit<Study, 'executor' | 'slurm'> & Partial<Pick<Study, 'executor' | 'slurm'>>, points: readonly StudyPoint[], execution: (runId: string) => RunExecution | null = () => null): StudyReport {
  const front = paretoIndices(points);
  return {
    studyId: study.id,
    name: study.name,
    projectId: study.projectId,
    status: study.status,
    error: study.error,
    spec: study.spec,
    executor: study.executor ?? 'local',
    slurm: study.slurm ?? null,
    progress: {
      done: points.filter((p) => p.state === 'done').length,
      failed: points.filter((p) => p.state === 'failed').length,
      total: points.length,
    },
    points: points.map((p) => ({
      index: p.index,
      label: p.label,
      runId: p.runId,
      regularizer: p.regularizer,
      lambda: p.lambda,
      seed: p.seed,
      state: p.state,
      error: p.error,
      pruneId: p.pruneId,
      finetuneRunId: p.finetuneRunId,
      valAccuracy: p.result?.valAccuracy ?? null,
      testAccuracy: p.result?.testAccuracy ?? null,
      params: p.result?.params ?? null,
      macs: p.result?.macs ?? null,
      sparsity: p.result?.sparsity ?? null,
      pruned: p.result?.pruned ?? null,
      finetuned: p.result?.finetuned ?? null,
      pareto: front.has(p.index),
      ...pointExecution(p, execution),
    })),
    groups: studyGroups(points),
    createdAt: study.createdAt,
    updatedAt: study.updatedAt,
  };
}
