/**
 * Runs: create (validated before any row exists), start, resume, cancel, show, list, compare.
 * Used unchanged by the CLI, `ffr serve` and Electron main.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../engine/data';
import { buildModelSpec } from '../engine/models/builders';
import { inferShapes } from '../engine/models/spec';
import { summarizeSparsity } from '../engine/sparsity/snapshot';
import type { EpochMetrics } from '../shared/metrics';
import { RunConfig } from '../shared/run-config';
import type { Checkpoint, Run, RunFilter, SnapshotRow } from '../shared/store-types';
import { verifyModelFile } from '../engine/train/checkpoint';
import { relativeInside, type Store } from '../store';
import type { StartFrom } from '../trainer/protocol';
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
  sparsity: { structured: number; unstructured: number } | null;
  layers: Array<{ name: string; filters: number; structuredSparsity: number; unstructuredSparsity: number }>;
  params: number | null;
  macs: number | null;
}

/** Thrown for input the user can fix; the CLI prints the message alone. */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}

export class RunService {
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
    try {
      inferShapes(buildModelSpec(config.model, { inputShape: ds.shape, classes: ds.classes, width: config.width, shortcut: config.shortcut }));
    } catch (e) {
      throw new UserInputError(
        `Model ${config.model} cannot run on ${config.dataset.name} images of ${ds.shape.join('×')}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return config;
  }

  async create(input: NewRunInput): Promise<Run> {
    const config = await this.validate(input.config);
    if (input.projectId) this.store.projects.require(input.projectId);
    const projectId = input.projectId === undefined ? this.store.projects.getOrCreateDefault().id : input.projectId;
    // The start model (a fine-tune's pruned model) is part of the run's row, not of this process:
    // a restarted host that resumes the run before its first checkpoint must start from it too.
    return this.store.runs.create({
      projectId,
      parentRunId: input.parentRunId ?? null,
      kind: input.kind ?? 'train',
      ...(input.name ? { name: input.name } : {}),
      config,
      ...(input.startModel ? { startModel: input.startModel } : {}),
    });
  }

  /** Queues a created run; resolves when it has finished. */
  start(runId: string): Promise<RunOutcome> {
    const run = this.store.runs.require(runId);
    if (run.status !== 'queued') throw new UserInputError(`Run ${runId} is ${run.status}; only a queued run can be started.`);
    return this.jobs.submitRun(runId, {
      kind: 'train',
      runId,
      config: run.config,
      checkpointDir: runCheckpointDir(this.paths, runId),
      start: this.initialStart(runId),
    });
  }

  /** Where a run without a usable checkpoint starts: its start model (checked), else fresh weights. */
  private initialStart(runId: string): StartFrom {
    const startModel = this.store.runs.startModel(runId);
    if (startModel === null) return { from: 'scratch' };
    const problem = verifyModelFile(startModel);
    if (problem !== null) throw new UserInputError(`Run ${runId} cannot start from its model: ${problem}`);
    return { from: 'model', path: startModel };
  }

  /**
   * Continues an interrupted, cancelled or failed run from its newest intact checkpoint. Damaged or
   * missing checkpoints after it are skipped (and said so in a `warn` log event); anything recorded
   * after the chosen one is dropped, with its checkpoint files, so the epochs are trained again
   * rather than duplicated. A run that never reached a checkpoint starts over from its start model
   * (a fine-tune's pruned model) or from fresh weights; one whose checkpoints are all damaged or
   * missing is refused rather than silently started over.
   *
   * Refused while another process trains the run (its lock is held), e.g. the trainer of a host
   * that was killed a moment ago and has not noticed yet.
   */
  resume(runId: string): Promise<RunOutcome> {
    // A host that died after this one opened the store left the run `running`: recover it now, so
    // "resume after the other host was killed" needs no restart of this one.
    this.store.runs.recoverIfOrphaned(runId);
    const run = this.store.runs.require(runId);
    if (this.jobs.isActive(runId)) throw new UserInputError(`Run ${runId} is already queued or running.`);
    if (!['interrupted', 'cancelled', 'failed'].includes(run.status)) {
      throw new UserInputError(`Run ${runId} is ${run.status}; only an interrupted, cancelled or failed run can be resumed.`);
    }
    // A StoreError('conflict') naming the process that trains it (409 over HTTP).
    this.store.runLocks.assertFree(runId);
    const warnings: string[] = [];
    const recorded = this.store.checkpoints.list(runId).reverse();
    const checkpoint = recorded.find((c) => {
      const problem = verifyModelFile(c.path);
      if (problem !== null) warnings.push(problem);
      return problem === null;
    });
    if (!checkpoint && recorded.length > 0) {
      // Starting over would drop every recorded epoch: not without the user saying so.
      throw new UserInputError(
        `Run ${runId} cannot be resumed: none of its ${recorded.length} checkpoint(s) is intact (${warnings[0]!.replace(/\.$/, '')}); restore the files, or duplicate the run to train it again.`,
      );
    }
    const start: StartFrom = checkpoint ? { from: 'checkpoint', path: checkpoint.path } : this.initialStart(runId);
    const dropped = this.store.resetToEpoch(runId, checkpoint?.epoch ?? 0);
    // After the commit: a crash before this line leaves files without rows, never rows without files.
    this.removeFiles(dropped.map((c) => c.path));
    if (warnings.length > 0) {
      const from = `its checkpoint of epoch ${checkpoint!.epoch}`;
      for (const w of [...warnings, `Run ${runId} resumes from ${from}.`]) this.jobs.emit('log', { runId, level: 'warn', message: w });
    }
    return this.jobs.submitRun(runId, {
      kind: 'train',
      runId,
      config: run.config,
      checkpointDir: runCheckpointDir(this.paths, runId),
      start,
    });
  }

  /** Removes files the store no longer references, when they lie inside the data directory. */
  private removeFiles(files: string[]): void {
    for (const file of files) {
      if (relativeInside(this.paths.home, file) !== null) fs.rmSync(file, { recursive: true, force: true });
    }
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
    this.removeFiles(paths);
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
