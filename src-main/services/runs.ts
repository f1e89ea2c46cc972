/**
 * Runs: create (validated before any row exists), start, resume, cancel, show, list, compare.
 * Used unchanged by the CLI, `ffr serve` and Electron main.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../engine/data';
import { buildModelSpec } from '../engine/models/builders';
import { inferShapes } from '../engine/models/spec';
import { flowPlan, zeroPenaltyReason } from '../engine/regularizers/flow-plan';
import { summarizeSparsity, type SparsitySummary } from '../engine/sparsity/summary';
import type { EpochMetrics } from '../shared/metrics';
import { RunConfig } from '../shared/run-config';
import type { Checkpoint, Run, RunFilter, SnapshotRow } from '../shared/store-types';
import type { Store } from '../store';
import { runCheckpointDir, type HomePaths } from './home';
import type { JobManager, RunOutcome } from './jobs';

export interface NewRunInput {
  projectId?: string | null;
  name?: string;
  parentRunId?: string | null;
  kind?: 'train' | 'finetune';
  config: unknown;
  /** Fine-tune: the model file to start from (a pruned model). */
  startModel?: string;
}

export interface RunDetails {
  run: Run;
  metrics: EpochMetrics[];
  snapshots: SnapshotRow[];
  checkpoints: Checkpoint[];
  children: Run[];
}

export interface RunSummary {
  runId: string;
  name: string;
  status: Run['status'];
  backend: string | null;
  epochs: number;
  error: string | null;
  final: { trainLoss: number; testAccuracy: number; length: number; curvature: number } | null;
  sparsity: SparsitySummary | null;
  layers: Array<{ name: string; filters: number; structuredSparsity: number; unstructuredSparsity: number }>;
  params: number | null;
  macs: number | null;
}

/** Thrown for input the user can fix; the CLI prints the message alone. */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  /** The config field at fault ("ffr.align"), when one is. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export class RunService {
  /** Model files to start from, for runs created with one (fine-tunes), until they start. */
  private readonly startModels = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly jobs: JobManager,
    private readonly paths: HomePaths,
  ) {}

  /** Checks a config against the data and the architecture before anything is written. */
  async validate(rawConfig: unknown): Promise<RunConfig> {
    const parsed = RunConfig.safeParse(rawConfig);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UserInputError(`Invalid run setting ${issue.path.join('.') || 'config'}: ${issue.message}.`);
    }
    const config = parsed.data;
    let ds;
    try {
      ds = await loadDataset(config.dataset, {
        ...(config.trainLimit ? { trainLimit: config.trainLimit } : {}),
        ...(config.testLimit ? { testLimit: config.testLimit } : {}),
      });
    } catch (e) {
      throw new UserInputError(e instanceof Error ? e.message : String(e));
    }
    let spec;
    let shapes;
    try {
      spec = buildModelSpec(config.model, { inputShape: ds.shape, classes: ds.classes, width: config.width, shortcut: config.shortcut });
      shapes = inferShapes(spec);
    } catch (e) {
      throw new UserInputError(
        `Model ${config.model} cannot run on ${config.dataset.name} images of ${ds.shape.join('×')}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (config.regularizer === 'ffr') {
      const taps = spec.taps.map((name) => ({ name, shape: shapes.get(name)! }));
      const why = zeroPenaltyReason(config.model, taps, flowPlan(spec, config.ffr.align), config.ffr);
      const bothZero = config.ffr.lambdaLength === 0 && config.ffr.lambdaCurvature === 0;
      if (why) throw new UserInputError(why, bothZero ? 'ffr.lambdaLength' : 'ffr.align');
    }
    return config;
  }

  async create(input: NewRunInput): Promise<Run> {
    const config = await this.validate(input.config);
    if (input.projectId) this.store.projects.require(input.projectId);
    const projectId = input.projectId === undefined ? this.store.projects.getOrCreateDefault().id : input.projectId;
    const run = this.store.runs.create({
      projectId,
      parentRunId: input.parentRunId ?? null,
      kind: input.kind ?? 'train',
      ...(input.name ? { name: input.name } : {}),
      config,
    });
    if (input.startModel) this.startModels.set(run.id, input.startModel);
    return run;
  }

  /** Queues a created run; resolves when it has finished. */
  start(runId: string): Promise<RunOutcome> {
    const run = this.store.runs.require(runId);
    if (run.status !== 'queued') throw new UserInputError(`Run ${runId} is ${run.status}; only a queued run can be started.`);
    const startModel = this.startModels.get(runId);
    this.startModels.delete(runId);
    return this.jobs.submitRun(runId, {
      kind: 'train',
      runId,
      config: run.config,
      checkpointDir: runCheckpointDir(this.paths, runId),
      start: startModel ? { from: 'model', path: startModel } : { from: 'scratch' },
    });
  }

  /**
   * Continues an interrupted, cancelled or failed run from its last checkpoint. Anything recorded
   * after that checkpoint is dropped first, so the epochs are trained again rather than duplicated.
   */
  resume(runId: string): Promise<RunOutcome> {
    const run = this.store.runs.require(runId);
    if (this.jobs.isActive(runId)) throw new UserInputError(`Run ${runId} is already queued or running.`);
    if (!['interrupted', 'cancelled', 'failed'].includes(run.status)) {
      throw new UserInputError(`Run ${runId} is ${run.status}; only an interrupted, cancelled or failed run can be resumed.`);
    }
    const checkpoint = this.store.checkpoints.latest(runId);
    if (checkpoint && !fs.existsSync(checkpoint.path)) {
      throw new UserInputError(`Run ${runId} cannot be resumed: its checkpoint ${checkpoint.path} is missing.`);
    }
    this.store.resetToEpoch(runId, checkpoint?.epoch ?? 0);
    return this.jobs.submitRun(runId, {
      kind: 'train',
      runId,
      config: run.config,
      checkpointDir: runCheckpointDir(this.paths, runId),
      start: checkpoint ? { from: 'checkpoint', path: checkpoint.path } : { from: 'scratch' },
    });
  }

  cancel(runId: string): boolean {
    this.store.runs.require(runId);
    return this.jobs.cancel(runId);
  }

  list(filter: RunFilter = {}): Run[] {
    return this.store.runs.list(filter);
  }

  show(runId: string): RunDetails {
    const run = this.store.runs.require(runId);
    return {
      run,
      metrics: this.store.metrics.list(runId),
      snapshots: this.store.snapshots.list(runId),
      checkpoints: this.store.checkpoints.list(runId),
      children: this.store.runs.list({ parentRunId: runId }),
    };
  }

  summary(runId: string): RunSummary {
    const run = this.store.runs.require(runId);
    const last = this.store.metrics.latest(runId);
    const snapshots = last ? this.store.snapshots.list(runId, { epoch: last.epoch }) : [];
    return {
      runId,
      name: run.name,
      status: run.status,
      backend: run.backend,
      epochs: run.epochsDone,
      error: run.error,
      final: last
        ? { trainLoss: last.trainLoss, testAccuracy: last.testAccuracy, length: last.ffrLength, curvature: last.ffrCurvature }
        : null,
      sparsity: snapshots.length > 0 ? summarizeSparsity(snapshots) : null,
      layers: snapshots.map((s) => ({
        name: s.layer,
        filters: s.channels,
        structuredSparsity: s.structuredSparsity,
        unstructuredSparsity: s.unstructuredSparsity,
      })),
      params: run.modelInfo?.params ?? null,
      macs: run.modelInfo?.macs ?? null,
    };
  }

  /** Side-by-side view of runs: summaries plus the config keys whose values differ. */
  compare(runIds: string[]): { runs: RunSummary[]; configDiff: Record<string, unknown[]>; configs: Record<string, unknown>[] } {
    if (runIds.length < 2) throw new UserInputError('Compare needs at least two run ids.');
    const runs = runIds.map((id) => this.store.runs.require(id));
    const flat = runs.map((r) => flatten(r.config));
    const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
    const configDiff: Record<string, unknown[]> = {};
    for (const k of keys) {
      const values = flat.map((f) => f[k]);
      if (new Set(values.map((v) => JSON.stringify(v))).size > 1) configDiff[k] = values;
    }
    return { runs: runIds.map((id) => this.summary(id)), configDiff, configs: flat };
  }

  /**
   * Deletes a run (and its fine-tunes) with its files. Only files inside the data directory go:
   * an export the user wrote to a folder of their own (`ffr export --out ~/models/x`) is theirs.
   */
  delete(runId: string): { runIds: string[] } {
    if (this.jobs.isActive(runId)) throw new UserInputError(`Run ${runId} is queued or running; cancel it first.`);
    // Its fine-tunes go with it, so none of them may be waiting for or holding a trainer either (the
    // store only knows "running"; a queued run lives in the job manager).
    const busyChild = this.store.runs.subtree(runId).find((id) => id !== runId && this.jobs.isActive(id));
    if (busyChild) throw new UserInputError(`Run ${runId} has a queued or running fine-tune run (${busyChild}); cancel it first.`);
    const { runIds, paths } = this.store.runs.delete(runId);
    const inside = (p: string): boolean => {
      const rel = path.relative(this.paths.home, path.resolve(p));
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    };
    for (const p of paths.filter(inside)) fs.rmSync(p, { recursive: true, force: true });
    for (const id of runIds) fs.rmSync(path.join(this.paths.runsDir, id), { recursive: true, force: true });
    return { runIds };
  }

}

/** {a: {b: 1}} → {'a.b': 1}: config keys as the compare table shows them. */
export function flatten(value: unknown, prefix = ''): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { [prefix]: value };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) Object.assign(out, flatten(v, prefix ? `${prefix}.${k}` : k));
  return out;
}
