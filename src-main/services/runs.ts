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
import { verifyModelFile } from '../catalog/models/model-file';
import { inferShapes } from '../catalog/models/spec';
import { classesFromConfig, detectCollapse } from '../shared/collapse';
import { MAX_GRID_EPOCHS, type CompareResult, type ConfigValidation, type RunDetails, type RunSummary, type StepsPage } from '../shared/contract';
import type { Executor, SlurmSettings } from '../shared/executor';
import { isActiveStatus, isResumableStatus, RESUMABLE_STATUSES, type EpochMetrics, type LogLine, type StepScalars } from '../shared/metrics';
import { RunConfig, completeRunConfig, flattenConfig, type RunConfigInput } from '../shared/run-config';
import { summarizeSparsity } from '../shared/sparsity';
import type { Checkpoint, Run, RunFilter, SnapshotRow } from '../shared/store-types';
import { MAX_LOG_LINES } from '../store/repositories/logs';
import { relativeInside, type Store } from '../store';
import type { StartFrom } from '../trainer/protocol';
import { ConflictError, ServiceError, UserInputError, sentence } from './errors';
import { runCheckpointDir, type HomePaths } from './home';
import type { Execution, JobManager, RunOutcome } from './jobs';
import { checkSnapshotRequest, sparsityGrid, stepsPage, thinEpochs, type StepsQuery } from './run-views';
import { raiseCancelFlag } from './slurm/job-folder';
import { jobSettingsOf, mergeSlurmSettings, slurmDefaults, slurmLaunchFor } from './slurm/settings';
import type { SlurmJobRecord } from '../store';

/**
 * Where a run executes, as a caller asks for it: the executor and, for Slurm, settings over the
 * stored defaults (a field set to '' clears its default).
 */
export interface ExecutionRequest {
  executor?: Executor;
  slurm?: Partial<Record<keyof SlurmSettings, unknown>>;
}

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
  /** Where it executes (default local); Slurm settings are checked before the run is written. */
  executor?: Executor;
  slurm?: ExecutionRequest['slurm'];
}

/** The schema's reasons by dotted field ("ffr.align"), the first per field, each one sentence. */
function schemaErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[issue.path.map(String).join('.') || 'config'] ??= sentence(issue.message);
  return errors;
}

export class RunService {
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
        valFraction: config.valFraction,
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
    // 0 is how runs stored before the validation split read back; a new run must validate on something.
    if (parsed.data.valFraction === 0) return { ok: false, errors: { valFraction: 'Must be more than 0: 0 leaves the validation set empty.' } };
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
    // Checked before the run exists, and kept with it: whoever starts it submits it this way.
    const slurmSettings = input.executor === 'slurm' ? this.slurmSettings(undefined, input.slurm) : undefined;
    return this.store.transaction(() => {
      let projectId: string | null;
      if (input.projectId !== undefined) projectId = input.projectId === null ? null : this.store.projects.require(input.projectId).id;
      else if (input.projectName) projectId = (this.store.projects.findByName(input.projectName) ?? this.store.projects.create({ name: input.projectName })).id;
      else projectId = this.store.projects.getOrCreateDefault().id;
      // The start model (a fine-tune's pruned model) is part of the run's row, not of this process:
      // a restarted host that resumes the run before its first checkpoint must start from it too.
      return this.store.runs.create({
        projectId,
        parentRunId: input.parentRunId ?? null,
        kind: input.kind ?? 'train',
        ...(input.name ? { name: input.name } : {}),
        config,
        ...(input.startModel ? { startModel: input.startModel } : {}),
        ...(input.executor ? { executor: input.executor } : {}),
        ...(slurmSettings ? { slurmSettings } : {}),
      });
    });
  }

  /**
   * The settings of a Slurm submission: the previous attempt's (a resume), else those the run was
   * created with, else the stored defaults; with `over` on top. Refuses on a host that cannot
   * submit to Slurm.
   */
  private slurmSettings(previous: SlurmSettings | undefined, over: ExecutionRequest['slurm']): SlurmSettings {
    if (!this.jobs.slurmEnabled) throw new UserInputError('This host cannot submit Slurm jobs.', { field: 'executor' });
    return mergeSlurmSettings(previous ?? jobSettingsOf(slurmDefaults(this.store)), over);
  }

  /**
   * Where a group of runs (a study's) will train, checked now: the executor and, for Slurm, the
   * full job settings (`previous`, else the stored defaults, with the request on top). Refused
   * with one sentence naming the field, on a host that cannot submit to Slurm too.
   */
  resolveExecution(request: ExecutionRequest, previous: { executor: Executor; slurm: SlurmSettings | null } = { executor: 'local', slurm: null }): { executor: Executor; slurm: SlurmSettings | null } {
    const executor = request.executor ?? previous.executor;
    if (executor === 'local') return { executor, slurm: null };
    return { executor, slurm: this.slurmSettings(previous.slurm ?? undefined, request.slurm) };
  }

  /** How the run's next attempt executes. */
  private execution(runId: string, request: ExecutionRequest = {}): Execution {
    const executor = request.executor ?? this.store.runs.executor(runId);
    if (executor === 'local') return { executor: 'local' };
    const previous = this.store.slurmJobs.latest(runId)?.settings ?? this.store.runs.slurmSettings(runId) ?? undefined;
    return { executor: 'slurm', slurm: slurmLaunchFor(this.store, this.paths, this.slurmSettings(previous, request.slurm)) };
  }

  /** The run's Slurm job when no host has seen it end (it may still train). */
  inFlightJob(runId: string): SlurmJobRecord | null {
    const job = this.store.slurmJobs.latest(runId);
    return job && job.endedAt === null ? job : null;
  }

  /**
   * Picks up the Slurm jobs that no live host follows (a restarted `ffr serve` or desktop app):
   * each is followed again and its messages recorded from where ingestion stopped. Returns the
   * run ids picked up; jobs another live host follows are left to it.
   */
  pickUpSlurmJobs(): string[] {
    if (!this.jobs.slurmEnabled) return [];
    const picked: string[] = [];
    for (const job of this.store.slurmJobs.inFlight()) {
      if (this.jobs.isActive(job.runId) || this.store.slurmJobs.latest(job.runId)?.attempt !== job.attempt) continue;
      try {
        void this.jobs.adopt(job);
        picked.push(job.runId);
      } catch {
        // Followed by another live host (or held otherwise): that host records it.
      }
    }
    return picked;
  }

  /**
   * A run as a caller should see it. Resuming queues a run without touching its row (the status
   * changes when its trainer starts), so a resumed run waiting for a slot is shown as queued.
   */
  live(run: Run): Run {
    const phase = this.jobs.queuePhase(run.id);
    if (phase === null) return run;
    // A resumed run waiting here still has its old final status stored until its trainer starts.
    return { ...run, status: 'queued', queuePhase: phase };
  }

  /**
   * Queues a created run; resolves when it has finished. `executor` moves it (e.g. a study's runs,
   * created before their executor is chosen); `slurm`: settings over the defaults.
   */
  start(runId: string, request: ExecutionRequest = {}): Promise<RunOutcome> {
    const run = this.store.runs.require(runId);
    if (run.status !== 'queued') throw new ConflictError(`Run ${runId} is ${run.status}; only a queued run can be started.`);
    const execution = this.execution(runId, request);
    if (request.executor && request.executor !== run.executor) this.store.runs.setExecutor(runId, request.executor);
    return this.jobs.submitRun(
      runId,
      {
        kind: 'train',
        runId,
        config: run.config,
        checkpointDir: runCheckpointDir(this.paths, runId),
        start: this.initialStart(runId),
      },
      execution,
    );
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
  resume(runId: string, request: ExecutionRequest = {}): Promise<RunOutcome> {
    // A host that died after this one opened the store left the run `running`: recover it now, so
    // "resume after the other host was killed" needs no restart of this one.
    this.store.runs.recoverIfOrphaned(runId);
    const run = this.store.runs.require(runId);
    if (this.jobs.isActive(runId)) throw new ConflictError(`Run ${runId} is already queued or running.`);
    // Its Slurm job may still train with no host following it: follow it instead of starting over.
    const inFlight = this.inFlightJob(runId);
    if (inFlight && isActiveStatus(run.status)) {
      if (!this.jobs.slurmEnabled) throw new ConflictError(`Run ${runId} is trained by Slurm job ${inFlight.jobId}; this host cannot follow Slurm jobs.`);
      return this.jobs.adopt(inFlight);
    }
    if (!isResumableStatus(run.status)) {
      throw new ConflictError(`Run ${runId} is ${run.status}; only a run that is ${RESUMABLE_STATUSES.join(', ').replace(/, ([^,]*)$/, ' or $1')} can be resumed.`);
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
    const execution = this.execution(runId, request);
    if (request.executor && request.executor !== run.executor) this.store.runs.setExecutor(runId, request.executor);
    return this.jobs.submitRun(
      runId,
      {
        kind: 'train',
        runId,
        config: run.config,
        checkpointDir: runCheckpointDir(this.paths, runId),
        start,
      },
      execution,
    );
  }

  /** Removes files the store no longer references, when they lie inside the data directory. */
  private removeFiles(files: string[]): void {
    for (const file of files) {
      if (relativeInside(this.paths.home, file) !== null) fs.rmSync(file, { recursive: true, force: true });
    }
  }

  /**
   * Cancels a queued or running run, wherever it runs: this host's own runs directly; a Slurm job
   * that another host (or none) follows with scancel and the cancel flag in its job folder, then
   * followed here when no live host records its end; another host's local trainer through a
   * request in the store that the owning host acts on within a second. False if the run is not
   * active anywhere.
   */
  cancel(runId: string): boolean {
    const run = this.store.runs.require(runId);
    if (this.jobs.cancel(runId)) return true;
    const inFlight = this.inFlightJob(runId);
    if (inFlight && isActiveStatus(run.status)) {
      this.store.runs.requestCancel(runId);
      raiseCancelFlag(inFlight.jobDir);
      if (this.jobs.slurmEnabled) {
        try {
          // No live host follows it: follow it here, so that its end is recorded.
          void this.jobs.adopt(inFlight);
          this.jobs.cancel(runId);
          return true;
        } catch {
          // Another host follows it and sees the request; scancel makes it quick.
        }
      }
      // Fire and forget: the follower records the end; a failure is said as a log event.
      void this.scancel(inFlight.jobId).catch((e: unknown) =>
        this.jobs.emit('log', { runId, level: 'error', message: e instanceof Error ? e.message : String(e) }),
      );
      return true;
    }
    if (isActiveStatus(run.status) && this.store.runLocks.holder(runId)) {
      this.store.runs.requestCancel(runId);
      return true;
    }
    return false;
  }

  private async scancel(jobId: string): Promise<void> {
    const { SlurmCommands } = await import('./slurm/commands');
    await new SlurmCommands().scancel(jobId);
  }

  list(filter: RunFilter = {}): Run[] {
    return this.store.runs.list(filter).map((r) => this.live(r));
  }

  /** The run page's first read, bounded in size (contract RunDetails). */
  show(runId: string): RunDetails {
    const run = this.live(this.store.runs.require(runId));
    const epochs = this.store.snapshots.epochs(runId);
    const latest = epochs.at(-1);
    const shown = thinEpochs(epochs, MAX_GRID_EPOCHS);
    const steps = this.store.steps.extent(runId);
    const unsaved = this.jobs.unsavedSteps(runId).filter((r) => r.step > (steps.last ?? 0));
    return {
      run,
      metrics: this.store.metrics.list(runId),
      snapshots: latest === undefined ? [] : this.store.snapshots.list(runId, { epoch: latest }),
      sparsity: sparsityGrid(this.store.snapshots.cells(runId, shown), epochs, MAX_GRID_EPOCHS),
      steps: {
        count: steps.count + unsaved.length,
        first: steps.first ?? unsaved[0]?.step ?? null,
        last: unsaved.at(-1)?.step ?? steps.last,
      },
      checkpoints: this.store.checkpoints.list(runId),
      children: this.store.runs.list({ parentRunId: runId }).map((c) => this.live(c)),
    };
  }

  /**
   * Everything recorded about a run, for `ffr runs show --json` and `ffr runs export`: every epoch's
   * metrics and snapshots, every step row, the log. Not offered over the API (it grows with the run).
   */
  full(runId: string): { run: Run; metrics: EpochMetrics[]; snapshots: SnapshotRow[]; steps: StepScalars[]; logs: LogLine[]; checkpoints: Checkpoint[]; children: Run[] } {
    const run = this.live(this.store.runs.require(runId));
    const steps: StepScalars[] = [];
    for (let after = 0; ; ) {
      const page = this.store.steps.page(runId, { afterStep: after, limit: 10_000 });
      steps.push(...page);
      if (page.length < 10_000) break;
      after = page.at(-1)!.step;
    }
    steps.push(...this.jobs.unsavedSteps(runId).filter((r) => r.step > (steps.at(-1)?.step ?? 0)));
    return {
      run,
      metrics: this.store.metrics.list(runId),
      snapshots: this.store.snapshots.list(runId),
      steps,
      logs: this.store.logs.list(runId, { limit: MAX_LOG_LINES }),
      checkpoints: this.store.checkpoints.list(runId),
      children: this.store.runs.list({ parentRunId: runId }).map((c) => this.live(c)),
    };
  }

  /** Layer snapshots of one epoch (default the latest), or of some layers over an epoch range. */
  snapshots(runId: string, q: { epoch?: number; fromEpoch?: number; toEpoch?: number; layers?: string[] }): SnapshotRow[] {
    this.store.runs.require(runId);
    const all = this.store.snapshots.epochs(runId);
    const ranged = q.fromEpoch !== undefined || q.toEpoch !== undefined;
    if (q.epoch !== undefined && ranged) throw new UserInputError('Give either an epoch or an epoch range (fromEpoch, toEpoch), not both.');
    const epochs = ranged ? all.filter((e) => e >= (q.fromEpoch ?? 1) && e <= (q.toEpoch ?? Infinity)) : [q.epoch ?? all.at(-1)].filter((e): e is number => e !== undefined && all.includes(e));
    if (epochs.length === 0) return [];
    const layerCount = q.layers?.length ?? this.store.snapshots.cells(runId, [epochs.at(-1)!]).length;
    checkSnapshotRequest(layerCount, epochs.length);
    return this.store.snapshots.list(runId, {
      ...(ranged ? { fromEpoch: epochs[0]!, toEpoch: epochs.at(-1)! } : { epoch: epochs[0]! }),
      ...(q.layers ? { layers: q.layers } : {}),
    });
  }

  steps(runId: string, q: StepsQuery): StepsPage {
    this.store.runs.require(runId);
    const repo = this.store.steps;
    return stepsPage(
      { page: (o) => repo.page(runId, o), overview: (o) => repo.overview(runId, o), extent: (o) => repo.extent(runId, o) },
      this.jobs.unsavedSteps(runId),
      q,
    );
  }

  logs(runId: string, q: { afterSeq?: number; limit: number }): { lines: LogLine[]; next: number | null } {
    const lines = this.store.logs.list(runId, { ...(q.afterSeq !== undefined ? { afterSeq: q.afterSeq } : {}), limit: q.limit + 1 });
    const page = lines.slice(0, q.limit);
    return { lines: page, next: lines.length > q.limit ? page.at(-1)!.seq : null };
  }

  summary(runId: string): RunSummary {
    const run = this.store.runs.require(runId);
    const metrics = this.store.metrics.list(runId);
    const last = metrics.at(-1) ?? null;
    const best = metrics.reduce<(typeof metrics)[number] | null>((b, m) => (b === null || m.testAccuracy > b.testAccuracy ? m : b), null);
    const snapshots = last ? this.store.snapshots.list(runId, { epoch: last.epoch }) : [];
    const finished = !isActiveStatus(this.live(run).status);
    return {
      runId,
      name: run.name,
      status: run.status,
      backend: run.backend,
      epochs: run.epochsDone,
      error: run.error,
      final: last
        ? {
            trainLoss: last.trainLoss,
            trainCrossEntropy: last.trainCrossEntropy,
            valAccuracy: last.valAccuracy,
            testAccuracy: last.testAccuracy,
            length: last.ffrLength,
            curvature: last.ffrCurvature,
          }
        : null,
      best: best ? { epoch: best.epoch, testAccuracy: best.testAccuracy } : null,
      collapse: finished ? detectCollapse(metrics, run.modelInfo?.classes ?? classesFromConfig(run.config)) : null,
      sparsity: summarizeSparsity(snapshots),
      layers: snapshots.map((s) => ({
        name: s.layer,
        filters: s.channels,
        structuredSparsity: s.structuredSparsity,
        unstructuredSparsity: s.unstructuredSparsity,
      })),
      params: run.modelInfo?.params ?? null,
      macs: run.modelInfo?.macs ?? null,
      executor: run.executor,
      slurmJobId: run.slurmJob?.jobId ?? null,
      slurmState: run.slurmJob?.state ?? null,
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
    const inFlight = this.store.runs.subtree(runId).map((id) => this.inFlightJob(id)).find((j) => j !== null);
    if (inFlight) throw new ConflictError(`Run ${inFlight.runId} is trained by Slurm job ${inFlight.jobId}; cancel it first.`);
    // Job folders (on the shared filesystem, possibly outside the data directory) go too.
    const jobDirs = this.store.runs.subtree(runId).flatMap((id) => this.store.slurmJobs.list(id).map((j) => j.jobDir));
    const { runIds, paths } = this.store.runs.delete(runId);
    this.removeFiles(paths);
    for (const id of runIds) fs.rmSync(path.join(this.paths.runsDir, id), { recursive: true, force: true });
    for (const dir of jobDirs) {
      // Only folders of the workbench's own layout (<root>/<run id>/attempt-<n>).
      if (/^attempt-\d+$/.test(path.basename(dir)) && runIds.includes(path.basename(path.dirname(dir)))) {
        fs.rmSync(dir, { recursive: true, force: true });
        try {
          fs.rmdirSync(path.dirname(dir));
        } catch {
          // other attempts remain, or it is gone already
        }
      }
    }
    return { runIds };
  }
}
