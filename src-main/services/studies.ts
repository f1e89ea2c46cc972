/**
 * Studies, host side: a grid regularizer × λ × seed over one base config, each cell trained,
 * pruned by the study's rule and fine-tuned, one cell after the other, every step recorded as it
 * starts (so a host that dies mid-study resumes each cell where it stopped: `ffr study resume`).
 *
 * How a run is TRAINED is not this module's business: it asks a RunExecutor to start or resume a
 * run and awaits the outcome, and never talks to trainer processes. `localExecutor` trains through
 * this host's job manager, which runs each run where the study asks: a trainer process here, or a
 * Slurm job it submits and follows (the study's `executor` and Slurm settings, stored with it and
 * passed with every start and resume; docs/slurm.md). Pruning and sweeps are short tool jobs of the
 * PruneService, run here whatever the executor.
 *
 * Cells advance one after the other on this machine; on Slurm up to SLURM_PARALLEL_CELLS at once
 * (the cluster schedules their jobs), with at most LOCAL_PRUNES_AT_ONCE of their prune steps here.
 */
import { EventEmitter } from 'node:events';
import { PruneReport, type PruneCriterion, type SelectionOptions, type SweepPoint } from '../shared/prune-types';
import { kneeIndex } from '../shared/knee';
import { isActiveStatus } from '../shared/metrics';
import { PRUNE_CRITERIA } from '../shared/prune-types';
import { DEFAULT_IMPORTANCE, type RegularizerName, type RunConfigInput } from '../shared/run-config';
import { summarizeSparsity } from '../shared/sparsity';
import {
  cellConfig,
  entryLabel,
  formatGrid,
  formatPruneRule,
  StudySpec,
  studyCsv,
  studyMarkdown,
  studyReport,
  type GridEntry,
  type PointResult,
  type PruneRule,
  type RunExecution,
  type Study,
  type StudyReport,
  type StudyStatus,
} from '../shared/study';
import { processAlive, processRef } from '../store/processes';
import type { StoredPoint, Store } from '../store';
import { ConflictError, NotFoundError, UserInputError } from './errors';
import type { Executor } from '../shared/executor';
import type { RunOutcome } from './jobs';
import type { PruneService } from './prune';
import type { ExecutionRequest, RunService } from './runs';
import { exactSlurmRequest } from './slurm/settings';

/**
 * Trains the runs of a study. `start` trains a created (queued) run to its end; `resume` continues
 * an interrupted or cancelled one from its last checkpoint. Both resolve with the run's final
 * status (completed, failed, cancelled), having recorded its epochs in the store like any run.
 */
export interface RunExecutor {
  start(runId: string, request?: ExecutionRequest): Promise<RunOutcome>;
  resume(runId: string, request?: ExecutionRequest): Promise<RunOutcome>;
  /** Stops a run this executor is training (politely); false if it is not. */
  cancel(runId: string): boolean;
}

/**
 * Runs train through this host's job manager, like `ffr train`: a trainer process each, or the
 * Slurm job the request (the study's executor) asks for.
 */
export function localExecutor(runs: RunService): RunExecutor {
  return { start: (id, request) => runs.start(id, request), resume: (id, request) => runs.resume(id, request), cancel: (id) => runs.cancel(id) };
}

/** What a caller gives to create a study; `base` is any subset of a run config. */
export interface NewStudyInput {
  projectId?: string | null;
  projectName?: string;
  name?: string;
  base: RunConfigInput;
  grid: GridEntry[];
  seeds: number[];
  prune: PruneRule;
  finetuneEpochs: number;
  criterion?: string | null;
  /** Where its runs train (default local); for Slurm, settings over the stored defaults. */
  executor?: Executor;
  slurm?: ExecutionRequest['slurm'];
}

export interface StudyProgress {
  studyId: string;
  status: StudyStatus;
  done: number;
  failed: number;
  total: number;
  /** The point that just moved, and where it is now. */
  point: { index: number; state: string; runId: string | null } | null;
}

/** The thresholds a `knee` rule chooses from (the Prune page's sweep grid). */
export const KNEE_THRESHOLDS = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5];
/** Global ratios a `macs` rule tries first; the bracket that reaches the budget is refined by 0.01. */
export const MACS_RATIOS = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);
/** Sweeps of a study measure on every validation image (capped only to bound a huge split). */
const STUDY_VAL_LIMIT = 100_000;
/**
 * Cells of a Slurm study in flight at once: their jobs wait in the cluster's queue, not here. Bounded
 * so a large grid does not hit a cluster's per-user submit limit (MaxSubmitJobs) in one go.
 */
export const SLURM_PARALLEL_CELLS = 32;
/** Prune steps (sweeps, a tool process each, on this machine) of a Slurm study at once. */
export const LOCAL_PRUNES_AT_ONCE = 2;


class StudyCancelled extends Error {}

/** A study being driven by this host. */
interface DriveState {
  /** Cancel asked (by the user, or by the host shutting down when `interrupted`). */
  cancelled: boolean;
  interrupted: boolean;
  /** The runs it is waiting for (what cancel stops): one at a time locally, several on Slurm. */
  runIds: Set<string>;
  /** Where the runs train: passed with every start and resume. */
  execution: ExecutionRequest;
  /** A resume: cells whose run failed resume that run once more. */
  retryFailed: boolean;
  done: Promise<unknown>;
}

export class StudyService extends EventEmitter<{ progress: [StudyProgress] }> {
  /** Studies this host is running now, with the run each is waiting for. */
  private readonly active = new Map<string, DriveState>();

  constructor(
    private readonly store: Store,
    private readonly runs: RunService,
    private readonly prunes: PruneService,
    private readonly executor: RunExecutor,
  ) {
    super();
  }

  /**
   * Checks the whole grid (every cell's config against the schema, the data and the architecture)
   * and writes the study with one point per cell; nothing is written when any cell is refused.
   */
  async create(input: NewStudyInput): Promise<Study> {
    const spec = StudySpec.safeParse({
      base: input.base,
      grid: input.grid,
      seeds: input.seeds,
      prune: input.prune,
      finetuneEpochs: input.finetuneEpochs,
      criterion: input.criterion ?? null,
    });
    if (!spec.success) {
      const issue = spec.error.issues[0];
      throw new UserInputError(`Invalid study setting ${issue?.path.join('.') || 'spec'}: ${issue?.message ?? 'invalid'}.`);
    }
    const s = spec.data;
    if (new Set(s.seeds).size !== s.seeds.length) throw new UserInputError(`The study's seeds repeat one (${s.seeds.join(', ')}).`);
    if (s.criterion !== null && !(PRUNE_CRITERIA as readonly string[]).includes(s.criterion)) {
      throw new UserInputError(`The study's importance "${s.criterion}" is not one of ${PRUNE_CRITERIA.join(', ')}.`);
    }
    for (const key of ['regularizer', 'lambda', 'seed'] as const) {
      if (s.base[key] !== undefined) throw new UserInputError(`The study's base config sets ${key}; the grid and the seeds set it for each run.`);
    }
    const points: Array<{ label: string; regularizer: RegularizerName; lambda: number | null; seed: number; config: RunConfigInput }> = [];
    for (const entry of s.grid) {
      for (const lambda of entry.lambdas) {
        // One check per (regularizer, λ): the seed changes nothing the check looks at.
        const config = cellConfig(s.base, entry, lambda, s.seeds[0]!);
        await this.runs.validConfig(config);
        for (const seed of s.seeds) points.push({ label: entryLabel(entry), regularizer: entry.regularizer, lambda, seed, config: cellConfig(s.base, entry, lambda, seed) });
      }
    }
    // Checked before anything is written, and kept with the study: its runs are all submitted this way.
    const execution = this.runs.resolveExecution({ ...(input.executor ? { executor: input.executor } : {}), ...(input.slurm ? { slurm: input.slurm } : {}) });
    const name = input.name ?? `study ${formatGrid(s.grid)} · ${formatPruneRule(s.prune)}`;
    return this.store.transaction(() => {
      let projectId: string | null;
      if (input.projectId !== undefined) projectId = input.projectId === null ? null : this.store.projects.require(input.projectId).id;
      else if (input.projectName) projectId = (this.store.projects.findByName(input.projectName) ?? this.store.projects.create({ name: input.projectName })).id;
      else projectId = this.store.projects.getOrCreateDefault().id;
      return this.store.studies.create({ projectId, name: name.slice(0, 200), spec: s, points, executor: execution.executor, slurm: execution.slurm });
    });
  }

  /** The study with every point and the per-(regularizer, λ) groups. */
  report(studyId: string): StudyReport {
    const study = this.recover(this.require(studyId));
    return studyReport(study, this.store.studies.points(studyId), this.runExecution);
  }

  list(filter: { projectId?: string | null } = {}): StudyReport[] {
    return this.store.studies.list(filter).map((s) => studyReport(this.recover(s), this.store.studies.points(s.id), this.runExecution));
  }

  /** Where a point's run trained, for the report. */
  private readonly runExecution = (runId: string): RunExecution | null => {
    const run = this.store.runs.get(runId);
    return run ? { executor: run.executor, slurmJobId: run.slurmJob?.jobId ?? null, slurmState: run.slurmJob?.state ?? null } : null;
  };

  export(studyId: string, format: 'csv' | 'md'): string {
    const study = this.require(studyId);
    const points = this.store.studies.points(studyId);
    return format === 'csv' ? studyCsv(points) : studyMarkdown(study, points);
  }

  /** Runs a created study to its end (cell after cell); resolves with its report. */
  run(studyId: string): Promise<StudyReport> {
    const study = this.recover(this.require(studyId));
    if (study.status !== 'queued') throw new ConflictError(`Study ${studyId} is ${study.status}; only a new study can be run (resume continues one that stopped).`);
    return this.drive(studyId, false);
  }

  /**
   * Continues a study that stopped (its host died, it was cancelled, a cell failed): cells done
   * stay done, each other cell goes on from its last recorded step (an interrupted run resumes from
   * its checkpoint; a failed cell is tried again from its start). `request` moves the remaining
   * runs to another executor or changes their Slurm settings (stored with the study).
   */
  resume(studyId: string, request: ExecutionRequest = {}): Promise<StudyReport> {
    const study = this.recover(this.require(studyId));
    if (this.active.has(studyId) || study.status === 'running') {
      throw new ConflictError(`Study ${studyId} is running${this.active.has(studyId) ? ' in this host' : ' in another process'}; wait for it or cancel it first.`);
    }
    if (study.status === 'completed') throw new ConflictError(`Study ${studyId} is completed; there is nothing to resume.`);
    if (request.executor !== undefined || request.slurm !== undefined) {
      const execution = this.runs.resolveExecution(request, { executor: study.executor, slurm: study.slurm });
      this.store.studies.setExecution(studyId, execution.executor, execution.slurm);
    }
    for (const p of this.store.studies.points(studyId)) {
      if (p.state === 'failed') this.store.studies.updatePoint(studyId, p.index, { state: p.runId === null ? 'pending' : 'training', error: null });
    }
    return this.drive(studyId, true);
  }

  /**
   * Host shutdown: the studies this host runs stop with their current run (cancelled by the job
   * manager's shutdown, which the caller runs next) and are left `interrupted`, resumable.
   * Resolves when they have recorded that.
   */
  async shutdown(stopRuns: () => Promise<void>): Promise<void> {
    const driving = [...this.active.values()];
    for (const a of driving) {
      a.cancelled = true;
      a.interrupted = true;
    }
    await stopRuns();
    await Promise.all(driving.map((a) => a.done.catch(() => {})));
  }

  /** Cancels a study this host runs: its current run is cancelled, and it stops (resumable). */
  cancel(studyId: string): boolean {
    this.require(studyId);
    const a = this.active.get(studyId);
    if (!a) return false;
    a.cancelled = true;
    for (const runId of a.runIds) this.executor.cancel(runId);
    return true;
  }

  /** Whether this host is running the study now. */
  isActive(studyId: string): boolean {
    return this.active.has(studyId);
  }

  private require(studyId: string): Study {
    const study = this.store.studies.get(studyId);
    if (!study) throw new NotFoundError(`There is no study "${studyId}".`);
    return study;
  }

  /** A study left `running` by a host that is gone is `interrupted` (and resumable). */
  private recover(study: Study): Study {
    if (study.status !== 'running' || this.active.has(study.id)) return study;
    const host = this.store.studies.host(study.id);
    if (host && host.pid !== process.pid && processAlive({ pid: host.pid, startTicks: host.start })) return study;
    return this.store.studies.setStatus(study.id, 'interrupted', { error: 'The host running this study stopped before it finished; resume it to continue.' });
  }

  private drive(studyId: string, retryFailed: boolean): Promise<StudyReport> {
    const study = this.require(studyId);
    const execution: ExecutionRequest =
      study.executor === 'slurm' ? { executor: 'slurm', slurm: exactSlurmRequest(study.slurm ?? {}) } : { executor: 'local' };
    const state: DriveState = { cancelled: false, interrupted: false, runIds: new Set(), execution, retryFailed, done: Promise.resolve() };
    this.active.set(studyId, state);
    const done = this.driveCells(studyId, state);
    state.done = done;
    return done;
  }

  private async driveCells(studyId: string, state: DriveState): Promise<StudyReport> {
    const me = processRef();
    this.store.studies.setStatus(studyId, 'running', { host: { pid: me.pid, start: me.startTicks } });
    this.announce(studyId, null);
    let status: StudyStatus = 'completed';
    let error: string | null = null;
    try {
      const study = this.require(studyId);
      const open = this.store.studies.points(studyId).filter((p) => p.state !== 'done' && p.state !== 'failed');
      const prunes = new Slots(study.executor === 'slurm' ? LOCAL_PRUNES_AT_ONCE : 1);
      await eachAtMost(open, study.executor === 'slurm' ? SLURM_PARALLEL_CELLS : 1, async (point) => {
        if (state.cancelled) throw new StudyCancelled();
        try {
          await this.advance(study, point, state, prunes);
        } catch (e) {
          // Whatever broke while cancelling (a prune job stopped by the shutdown) is the cancel, not the cell.
          if (e instanceof StudyCancelled || state.cancelled) throw new StudyCancelled();
          const message = e instanceof Error ? e.message : String(e);
          this.store.studies.updatePoint(studyId, point.index, { state: 'failed', error: message });
          this.announce(studyId, { index: point.index, state: 'failed', runId: this.store.studies.points(studyId)[point.index]!.runId });
        }
      });
      const failed = this.store.studies.points(studyId).filter((p) => p.state === 'failed');
      if (failed.length > 0) {
        status = 'failed';
        error = `${failed.length} of the study's ${this.store.studies.points(studyId).length} cells failed (first: cell ${failed[0]!.index}, ${failed[0]!.error ?? 'no reason recorded'}); resume it to try them again.`;
      }
    } catch (e) {
      if (e instanceof StudyCancelled) {
        status = state.interrupted ? 'interrupted' : 'cancelled';
        error = state.interrupted ? 'The host shut down before the study finished; resume it to continue.' : 'Cancelled; resume it to continue.';
      } else {
        status = 'failed';
        error = e instanceof Error ? e.message : String(e);
      }
    } finally {
      this.active.delete(studyId);
    }
    this.store.studies.setStatus(studyId, status, { error, host: null });
    this.announce(studyId, null);
    return this.report(studyId);
  }

  private announce(studyId: string, point: StudyProgress['point']): void {
    const study = this.require(studyId);
    const points = this.store.studies.points(studyId);
    this.emit('progress', {
      studyId,
      status: study.status,
      done: points.filter((p) => p.state === 'done').length,
      failed: points.filter((p) => p.state === 'failed').length,
      total: points.length,
      point,
    });
  }

  /** One cell, from wherever it stopped: train → prune (by the study's rule) → fine-tune → numbers. */
  private async advance(study: Study, point: StoredPoint, state: DriveState, prunes: Slots): Promise<void> {
    const move = (change: Parameters<Store['studies']['updatePoint']>[2]): void => {
      this.store.studies.updatePoint(study.id, point.index, change);
      const now = this.store.studies.points(study.id)[point.index]!;
      this.announce(study.id, { index: point.index, state: now.state, runId: now.runId });
    };
    let runId = point.runId;
    if (runId === null || !this.store.runs.get(runId)) {
      const lambda = point.lambda === null ? '' : ` λ ${point.lambda}`;
      const run = await this.runs.create({
        projectId: study.projectId,
        name: `${study.id} · ${point.label}${lambda} · seed ${point.seed}`,
        config: point.config,
        ...(state.execution.executor ? { executor: state.execution.executor } : {}),
        ...(state.execution.slurm ? { slurm: state.execution.slurm } : {}),
      });
      runId = run.id;
      move({ state: 'training', runId, pruneId: null, finetuneRunId: null });
    }
    await this.trainToEnd(runId, state);

    let pruneId = point.pruneId;
    let finetuneRunId = point.finetuneRunId;
    if (pruneId === null || !this.store.prunes.get(pruneId)) {
      move({ state: 'pruning' });
      const trainedRunId = runId;
      const { prune, child } = await prunes.use(async () => {
        if (state.cancelled) throw new StudyCancelled();
        const selection = await this.selection(study.spec, trainedRunId);
        return this.prunes.prune(trainedRunId, { selection, finetuneEpochs: study.spec.finetuneEpochs });
      });
      pruneId = prune.id;
      finetuneRunId = child?.id ?? null;
      move({ state: finetuneRunId ? 'finetuning' : 'pruning', pruneId, finetuneRunId });
    }
    if (finetuneRunId !== null) await this.trainToEnd(finetuneRunId, state);
    move({ state: 'done', result: this.result(runId, pruneId, finetuneRunId), error: null });
  }

  /** Trains (or resumes) a run until it has completed; throws its reason when it cannot. */
  private async trainToEnd(runId: string, state: DriveState): Promise<void> {
    if (state.cancelled) throw new StudyCancelled();
    let run = this.store.runs.require(runId);
    if (run.status === 'completed') return;
    state.runIds.add(runId);
    try {
      let outcome: RunOutcome;
      if (run.status === 'queued') outcome = await this.executor.start(runId, state.execution);
      else if (run.status === 'failed' && !state.retryFailed) throw new Error(`Run ${runId} failed: ${run.error ?? 'no reason recorded'}`);
      else outcome = await this.executor.resume(runId, state.execution); // interrupted, cancelled, left running by a dead host (or its Slurm job in flight: followed again), or failed (on resume)
      if (outcome.status === 'cancelled' && state.cancelled) throw new StudyCancelled();
      run = this.store.runs.require(runId);
      if (outcome.status !== 'completed') throw new Error(`Run ${runId} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
      if (isActiveStatus(run.status)) throw new Error(`Run ${runId} is still ${run.status} after training.`);
    } finally {
      state.runIds.delete(runId);
    }
  }

  /** What to prune: the study's rule applied to this run, measured on its validation set. */
  private async selection(spec: StudySpec, runId: string): Promise<SelectionOptions> {
    const run = this.store.runs.require(runId);
    // Unless the study names one, each run is pruned by its regularizer's own importance (docs/pruning.md).
    const criterion = (spec.criterion as PruneCriterion | null) ?? DEFAULT_IMPORTANCE[run.config.regularizer];
    const rule = spec.prune;
    const common = { criterion, aggregate: 'max' as const, minChannels: 1 };
    if (rule.kind === 'threshold') return { ...common, scope: 'layer', threshold: rule.threshold };
    if (rule.kind === 'knee') {
      const sweep = await this.prunes.sweep(runId, { ...common, scope: 'layer', thresholds: KNEE_THRESHOLDS, valLimit: STUDY_VAL_LIMIT });
      const points = [...sweep.points].sort((a, b) => a.threshold! - b.threshold!);
      const knee = kneeIndex(points, sweep.reference!.accuracy, rule.drop);
      return { ...common, scope: 'layer', threshold: knee < 0 ? 0 : points[knee]!.threshold! };
    }
    const total = run.modelInfo?.macs;
    if (!total) throw new Error(`Run ${runId} has no recorded MACs to budget.`);
    const target = rule.fraction * total;
    const ratioFor = async (ratios: number[]): Promise<{ met: SweepPoint | null; points: SweepPoint[] }> => {
      const sweep = await this.prunes.sweep(runId, { ...common, scope: 'global', ratios, valLimit: STUDY_VAL_LIMIT });
      const points = [...sweep.points].sort((a, b) => a.ratio! - b.ratio!);
      return { met: points.find((p) => p.macs <= target) ?? null, points };
    };
    const coarse = await ratioFor(MACS_RATIOS);
    if (coarse.met === null) {
      // Pruning less than the budget would compare this cell at another budget than the others.
      const least = Math.min(...coarse.points.map((p) => p.macs));
      throw new Error(
        `Run ${runId} cannot be pruned to ${Number((rule.fraction * 100).toPrecision(3))} % of its MACs by ${criterion} importance: even a global ratio of ` +
          `${MACS_RATIOS.at(-1)} keeps ${((least / total) * 100).toFixed(0)} % (channels are kept when they must stay, e.g. a constant channel that cannot be ` +
          `folded exactly, or channels tied across a residual stage); choose another importance with --criterion or a larger budget.`,
      );
    }
    const upper = coarse.met.ratio!;
    const lower = Math.max(0, Math.round((upper - 0.05) * 100) / 100);
    const fine = Array.from({ length: 4 }, (_, i) => Math.round((lower + (i + 1) * 0.01) * 100) / 100).filter((r) => r < upper);
    const refined = fine.length > 0 ? await ratioFor(fine) : { met: null, points: [] };
    return { ...common, scope: 'global', ratio: refined.met?.ratio ?? upper };
  }

  /** A finished cell's numbers, read from the store. */
  private result(runId: string, pruneId: string, finetuneRunId: string | null): PointResult {
    const last = this.store.metrics.latest(runId);
    if (!last) throw new Error(`Run ${runId} has no recorded epoch.`);
    const snapshots = this.store.snapshots.list(runId, { epoch: last.epoch });
    const prune = this.store.prunes.get(pruneId);
    if (!prune) throw new Error(`Prune ${pruneId} is gone.`);
    const report = PruneReport.parse(prune.report);
    let finetuned: PointResult['finetuned'] = null;
    if (finetuneRunId !== null) {
      const ft = this.store.metrics.latest(finetuneRunId);
      if (!ft) throw new Error(`Fine-tune run ${finetuneRunId} has no recorded epoch.`);
      finetuned = { valAccuracy: ft.valAccuracy, testAccuracy: ft.testAccuracy };
    }
    return {
      valAccuracy: last.valAccuracy,
      testAccuracy: last.testAccuracy,
      params: report.params.before,
      macs: report.macs.before,
      sparsity: summarizeSparsity(snapshots)?.structured ?? null,
      pruned: {
        params: report.params.after,
        macs: report.macs.after,
        valAccuracy: report.validation?.pruned ?? null,
        testAccuracy: report.accuracy.pruned,
        threshold: report.threshold,
        ratio: report.ratio,
        criterion: report.criterion,
      },
      finetuned,
    };
  }
}

/**
 * Calls `work` on each item, at most `limit` at once, in order. After the first rejection no new
 * item starts; the ones under way finish, then the first rejection is thrown.
 */
async function eachAtMost<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** At most `size` callers inside `use` at once; the others wait their turn, first come first served. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const nextInLine = this.waiting.shift();
      if (nextInLine) nextInLine();
      else this.free += 1;
    }
  }
}
