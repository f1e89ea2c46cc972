/**
 * Pruning and sensitivity sweeps, host side: checks the request, runs the heavy part in a trainer
 * process (tool jobs), writes the rows (the host is the only database writer) and creates the
 * fine-tune child run. Nothing is left behind when a step fails: the pruned model file is removed
 * if its row cannot be written, and no row is written before the file exists.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PruneView, SweepView } from '../shared/contract';
import { PruneOptions, PruneReport, SweepOptions, SweepPoint, SweepReference } from '../shared/prune-types';
import { DEFAULT_IMPORTANCE, DEFAULT_VAL_FRACTION } from '../shared/run-config';
import type { Prune, Run, Sweep } from '../shared/store-types';
import type { Store } from '../store';
import { ConflictError, NotFoundError, UserInputError } from './errors';
import type { HomePaths } from './home';
import type { RunService } from './runs';
import type { ToolRunner } from './tools';

/**
 * Fills in the importance a request left out: the default for the source run's regularizer
 * (DEFAULT_IMPORTANCE). `at` is the object that holds `criterion` (the selection of a prune, the
 * options of a sweep). Anything malformed is left for the schema to report.
 */
function withDefaultCriterion(raw: unknown, at: 'selection' | null, run: Run): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const holder = at ? (raw as Record<string, unknown>)[at] : raw;
  if (typeof holder !== 'object' || holder === null || (holder as Record<string, unknown>).criterion !== undefined) return raw;
  const filled = { ...(holder as Record<string, unknown>), criterion: DEFAULT_IMPORTANCE[run.config.regularizer] };
  return at ? { ...(raw as Record<string, unknown>), [at]: filled } : filled;
}

function firstIssue(e: z.ZodError): string {
  const issue = e.issues[0];
  return issue ? `${issue.path.join('.') || 'options'}: ${issue.message}` : 'invalid';
}

export class PruneService {
  constructor(
    private readonly store: Store,
    private readonly tools: ToolRunner,
    private readonly runs: RunService,
    private readonly paths: HomePaths,
  ) {}

  /** A completed run and its last checkpoint, or one sentence saying why not. */
  sourceOf(runId: string): { run: Run; checkpoint: string; epoch: number } {
    const run = this.store.runs.get(runId);
    if (!run) throw new NotFoundError(`There is no run "${runId}".`);
    if (run.status !== 'completed') throw new ConflictError(`Run ${runId} is ${run.status}; only a completed run can be pruned or exported.`);
    const checkpoint = this.store.checkpoints.latest(runId);
    if (!checkpoint || !fs.existsSync(checkpoint.path)) throw new ConflictError(`Run ${runId} has no model file left to work on.`);
    return { run, checkpoint: checkpoint.path, epoch: checkpoint.epoch };
  }

  /**
   * Prunes a completed run: writes the smaller model and the prunes row. With finetuneEpochs > 0
   * also creates (does not start) the fine-tune child run; `finetune()` starts and awaits it.
   */
  async prune(runId: string, rawOptions: unknown, onLog?: (m: string) => void): Promise<{ prune: Prune; child: Run | null }> {
    const rawRatio = z.object({ selection: z.object({ ratio: z.number() }) }).safeParse(rawOptions);
    if (rawRatio.success && !(rawRatio.data.selection.ratio >= 0 && rawRatio.data.selection.ratio <= 1)) {
      throw new UserInputError(`The prune ratio must be between 0 and 1, got ${rawRatio.data.selection.ratio}.`);
    }
    // The source first: its regularizer decides the importance a request leaves out.
    const source = this.sourceOf(runId);
    const parsed = PruneOptions.safeParse(withDefaultCriterion(rawOptions, 'selection', source.run));
    if (!parsed.success) throw new UserInputError(`Invalid prune option ${firstIssue(parsed.error)}.`);
    const options = parsed.data;
    const { ratio, threshold } = options.selection;
    fs.mkdirSync(this.paths.prunesDir, { recursive: true });
    const modelPath = path.join(this.paths.prunesDir, `${runId}-${Date.now()}-${crypto.randomBytes(3).toString('hex')}.ffrm`);
    let prune: Prune;
    try {
      const result = await this.tools.run(
        { kind: 'prune', payload: { config: source.run.config, modelPath: source.checkpoint, selection: options.selection, outPath: modelPath } },
        onLog,
      );
      const report: PruneReport = {
        ...result,
        arch: source.run.config.model,
        criterion: options.selection.criterion,
        scope: options.selection.scope,
        threshold: threshold ?? null,
        ratio: ratio ?? null,
        sourceCheckpoint: source.checkpoint,
      };
      prune = this.store.prunes.create({ sourceRunId: runId, options, report, modelPath });
    } catch (e) {
      fs.rmSync(modelPath, { force: true });
      throw e;
    }
    if (options.finetuneEpochs === 0) return { prune, child: null };
    const config = {
      ...source.run.config,
      epochs: options.finetuneEpochs,
      lr: options.finetuneLr ?? source.run.config.lr / 10,
      // The parent's validation set (a run stored before validation splits existed gets the default).
      valFraction: source.run.config.valFraction || DEFAULT_VAL_FRACTION,
      // Fine-tuning recovers accuracy; the regularizer has done its work, so it trains on cross-entropy.
      regularizer: 'none',
    };
    const child = await this.runs.create({
      projectId: source.run.projectId,
      parentRunId: runId,
      kind: 'finetune',
      name: `${source.run.name} · pruned ${prune.id} fine-tune`,
      config,
      startModel: modelPath,
      // The fine-tune trains where its source trained (a Slurm run's on Slurm, with its settings).
      executor: source.run.executor,
      ...(source.run.executor === 'slurm' ? { slurm: this.store.runs.slurmSettings(runId) ?? {} } : {}),
    });
    prune = this.store.prunes.setChildRun(prune.id, child.id);
    return { prune, child };
  }

  view(pruneId: string): PruneView {
    const prune = this.store.prunes.get(pruneId);
    if (!prune) throw new NotFoundError(`There is no prune "${pruneId}".`);
    const report = PruneReport.parse(prune.report);
    let finetuned: number | null = null;
    if (prune.childRunId) {
      const child = this.store.runs.get(prune.childRunId);
      if (child?.status === 'completed') finetuned = this.store.metrics.latest(child.id)?.testAccuracy ?? null;
    }
    return {
      pruneId: prune.id,
      sourceRunId: prune.sourceRunId,
      childRunId: prune.childRunId,
      params: report.params,
      macs: report.macs,
      accuracy: { ...report.accuracy, finetuned },
      layers: report.widths,
      modelPath: prune.modelPath,
      report: { ...report, accuracy: { ...report.accuracy, finetuned } },
      createdAt: prune.createdAt,
    };
  }

  /** The prunes of a run, as views. */
  list(runId: string): PruneView[] {
    this.store.runs.require(runId);
    return this.store.prunes.listBySource(runId).map((p) => this.view(p.id));
  }

  /**
   * Sensitivity sweep of a completed run, on its validation set (the reference and every point on
   * the same images); stored with the run, beside its earlier sweeps. `onProgress` hears each point.
   */
  async sweep(runId: string, rawOptions: unknown, onLog?: (m: string) => void, onProgress?: (done: number, total: number) => void): Promise<SweepView> {
    const source = this.sourceOf(runId);
    const parsed = SweepOptions.safeParse(withDefaultCriterion(rawOptions, null, source.run));
    if (!parsed.success) throw new UserInputError(`Invalid sweep option ${firstIssue(parsed.error)}.`);
    const options = parsed.data;
    if (source.run.config.valFraction === 0) {
      throw new ConflictError(`Run ${runId} has no validation set (it was trained before validation splits existed); a sweep measures on validation images only, so train it again to sweep it.`);
    }
    const { points, reference } = await this.tools.run(
      { kind: 'sweep', payload: { config: source.run.config, modelPath: source.checkpoint, options } },
      onLog,
      onProgress,
    );
    return sweepView(this.store.sweeps.create({ sourceRunId: runId, options, points, reference }));
  }

  /** The stored sweeps of a run, newest first. */
  sweeps(runId: string): SweepView[] {
    this.store.runs.require(runId);
    return this.store.sweeps.listBySource(runId).map(sweepView);
  }
}

function sweepView(s: Sweep): SweepView {
  return {
    sweepId: s.id,
    sourceRunId: s.sourceRunId,
    options: s.options,
    points: SweepPoint.array().parse(s.points),
    reference: s.reference === null ? null : SweepReference.parse(s.reference),
    createdAt: s.createdAt,
  };
}
