/**
 * Runs: create (validated before any row exists), start, resume, cancel, show, list, compare.
 * Used unchanged by the CLI, `ffr serve` and Electron main.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DatasetError } from '../catalog/datasets/errors';
import { readDatasetHeader } from '../catalog/datasets/header';
import { buildModelSpec } from '../catalog/models/builders';
import { flowPlan, zeroPenaltyReason } from '../catalog/models/flow-plan';
import { inferShapes } from '../catalog/models/spec';
import type { CompareResult, ConfigValidation, RunDetails, RunSummary } from '../shared/contract';
import { isActiveStatus, isResumableStatus, RESUMABLE_STATUSES } from '../shared/metrics';
import { RunConfig, completeRunConfig, flattenConfig, type RunConfigInput } from '../shared/run-config';
import { summarizeSparsity } from '../shared/sparsity';
import type { Run, RunFilter } from '../shared/store-types';
import type { Store } from '../store';
import { ConflictError, ServiceError, UserInputError, sentence } from './errors';
import { runCheckpointDir, type HomePaths } from './home';
import type { JobManager, RunOutcome } from './jobs';

export interface NewRunInput {
  /** The run's project: an id, or a name (created with the run if it does not exist); default "Default". */
  projectId?: string | null;
  projectName?: string;
  name?: string;
  parentRunId?: string | null;
  kind?: 'train' | 'finetune';
  /** The settings: any subset, completed over `base` (completeRunConfig). */
  config: RunConfigInput;
  /** What missing settings are taken from: the defaults, or the run being duplicated. */
  base?: RunConfig;
  /** Fine-tune: the model file to start from (a pruned model). */
  startModel?: string;
}

/** The schema's reasons by dotted field ("ffr.align"), the first per field, each one sentence. */
function schemaErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[issue.path.map(String).join('.') || 'config'] ??= sentence(issue.message);
  return errors;
}

export class RunService {
  /** Model files to start from, for runs created with one (fine-tunes), until they start. */
  private readonly startModels = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly jobs: JobManager,
    private readonly paths: HomePaths,
  ) {}

  /**
   * Checks a config against the data and the architecture. The data is checked by its header
   * (folder layout, file sizes), never loaded: the trainer loads it, once.
   */
  private async checkDataAndModel(config: RunConfig): Promise<void> {
    let header;
    try {
      header = await readDatasetHeader(config.dataset, {
        ...(config.trainLimit ? { trainLimit: config.trainLimit } : {}),
        ...(config.testLimit ? { testLimit: config.testLimit } : {}),
      });
    } catch (e) {
      if (e instanceof DatasetError) throw new UserInputError(e.message, { field: 'dataset' });
      throw e;
    }
    let spec;
    let shapes;
    try {
      spec = buildModelSpec(config.model, { inputShape: header.shape, classes: header.classes, width: config.width, shortcut: config.shortcut });
      shapes = inferShapes(spec);
    } catch (e) {
      throw new UserInputError(
        `Model ${config.model} cannot run on ${config.dataset.name} images of ${header.shape.join('×')}: ${e instanceof Error ? e.message : String(e)}`,
        { field: 'model' },
      );
    }
    if (config.regularizer === 'ffr') {
      // FFR settings whose penalty is identically zero for this model (no segment or turn to
      // compare) are refused on the field that decides it.
      const taps = spec.taps.map((name) => ({ name, shape: shapes.get(name)! }));
      const why = zeroPenaltyReason(config.model, taps, flowPlan(spec, config.ffr.align), config.ffr);
      const bothZero = config.ffr.lambdaLength === 0 && config.ffr.lambdaCurvature === 0;
      if (why) throw new UserInputError(why, { field: bothZero ? 'ffr.lambdaLength' : 'ffr.align' });
    }
  }

  /**
   * A (partial) config completed over `base` and checked against the schema, the data and the
   * architecture: the config, or field → one sentence (the New-run form shows them by field).
   */
  async check(input: RunConfigInput, base?: RunConfig): Promise<ConfigValidation> {
    const parsed = RunConfig.safeParse(completeRunConfig(input, base));
    if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error) };
    try {
      await this.checkDataAndModel(parsed.data);
      return { ok: true, config: parsed.data };
    } catch (e) {
      if (e instanceof ServiceError && e.field) return { ok: false, errors: { [e.field]: sentence(e.message) } };
      throw e;
    }
  }

  /**
   * check(), refusing with the first reason. A schema reason gets the setting's name in front; the
   * data, model and FFR checks already say what they refuse.
   */
  async validConfig(input: RunConfigInput, base?: RunConfig): Promise<RunConfig> {
    const parsed = RunConfig.safeParse(completeRunConfig(input, base));
    if (!parsed.success) {
      const [field, reason] = Object.entries(schemaErrors(parsed.error))[0]!;
      throw new UserInputError(field === 'config' ? reason : `Run setting ${field}: ${reason}`, { field });
    }
    try {
      await this.checkDataAndModel(parsed.data);
    } catch (e) {
      if (e instanceof ServiceError && e.field) throw new UserInputError(sentence(e.message), { field: e.field });
      throw e;
    }
    return parsed.data;
  }

  /**
   * Writes a run (queued, not started) from a config that validates. Nothing is written before
   * the whole request validates; a project named by `projectName` is created in the same
   * transaction as the run, so a refused run leaves no project behind either.
   */
  async create(input: NewRunInput): Promise<Run> {
    const config = await this.validConfig(input.config, input.base);
    const run = this.store.transaction(() => {
      let projectId: string | null;
      if (input.projectId !== undefined) projectId = input.projectId === null ? null : this.store.projects.require(input.projectId).id;
      else if (input.projectName) projectId = (this.store.projects.findByName(input.projectName) ?? this.store.projects.create({ name: input.projectName })).id;
      else projectId = this.store.projects.getOrCreateDefault().id;
      return this.store.runs.create({
        projectId,
        parentRunId: input.parentRunId ?? null,
        kind: input.kind ?? 'train',
        ...(input.name ? { name: input.name } : {}),
        config,
      });
    });
    if (input.startModel) this.startModels.set(run.id, input.startModel);
    return run;
  }

  /**
   * A run as a caller should see it. Resuming queues a run without touching its row (the status
   * changes when its trainer starts), so a resumed run waiting for a slot is shown as queued.
   */
  live(run: Run): Run {
    return !isActiveStatus(run.status) && this.jobs.isQueued(run.id) ? { ...run, status: 'queued' } : run;
  }

  /** Queues a created run; resolves when it has finished. */
  start(runId: string): Promise<RunOutcome> {
    const run = this.store.runs.require(runId);
    if (run.status !== 'queued') throw new ConflictError(`Run ${runId} is ${run.status}; only a queued run can be started.`);
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
    if (this.jobs.isActive(runId)) throw new ConflictError(`Run ${runId} is already queued or running.`);
    if (!isResumableStatus(run.status)) {
      throw new ConflictError(`Run ${runId} is ${run.status}; only a run that is ${RESUMABLE_STATUSES.join(', ').replace(/, ([^,]*)$/, ' or $1')} can be resumed.`);
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
    return this.store.runs.list(filter).map((r) => this.live(r));
  }

  show(runId: string): RunDetails {
    const run = this.live(this.store.runs.require(runId));
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
      sparsity: summarizeSparsity(snapshots),
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
  compare(runIds: string[]): CompareResult {
    if (runIds.length < 2) throw new UserInputError('Compare needs at least two run ids.');
    const runs = runIds.map((id) => this.store.runs.require(id));
    const flat = runs.map((r) => flattenConfig(r.config));
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
    this.store.runs.require(runId);
    if (this.jobs.isActive(runId)) throw new ConflictError(`Run ${runId} is queued or running; cancel it first.`);
    // Its fine-tunes go with it, so none of them may be waiting for or holding a trainer either (the
    // store only knows "running"; a queued run lives in the job manager).
    const busyChild = this.store.runs.subtree(runId).find((id) => id !== runId && this.jobs.isActive(id));
    if (busyChild) throw new ConflictError(`Run ${runId} has a queued or running fine-tune run (${busyChild}); cancel it first.`);
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
