/**
 * The job manager: a queue of trainer processes, each running one job, with a configurable number
 * running at once. The host is the only database writer: the trainer streams messages, and the
 * manager turns them into store writes (one transaction per epoch) and events for the UI.
 *
 * Failure modes it owns:
 * - cancel: a polite message first; if the trainer has not finished after `cancelGraceMs`, SIGKILL.
 *   Cancelling again (Ctrl-C, then the host's shutdown) changes nothing: one kill timer per trainer,
 *   cleared when it exits, so a host never waits for a timer of a trainer that is already gone.
 * - crash or out-of-memory: the process exits without a final message; the run is marked failed with
 *   the exit code or signal and, for V8 heap exhaustion, says so.
 * - two trainers for one run: before a trainer starts, the manager takes the run's lock in the store
 *   (RunLocksRepository), held until the trainer has exited; another host's live trainer makes the
 *   launch fail with a sentence and leaves the run's row to that host.
 * - storage errors (a full disk, a read-only or damaged database) while recording: the trainer is
 *   stopped and the run ends `failed` with the reason in words ("the disk is full"). If even that
 *   final status cannot be written, the host says so, keeps running, tries again when the trainer
 *   has exited (its temporary files are gone by then), and leaves the row to start-up recovery
 *   (`interrupted`) otherwise. A store error never escapes into an event handler, where it would
 *   take the host down.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import { describeStorageError, StoreError, type Store } from '../store';
import type { EventPayload, RunProgress } from '../shared/contract';
import type { SlurmJob } from '../shared/executor';
import type { EpochMetrics, RunStatus, StepScalars } from '../shared/metrics';
import type { SlurmJobRecord } from '../store';
import type { EpochRecord, FinishedStatus } from '../shared/store-types';
import { TrainerMessage, isFinalMessage, type TrainJob } from '../trainer/protocol';
import type { SlurmLaunch, SlurmLauncher } from './slurm/launcher';
import type { ExitVerdict, TrainerHandle, TrainerLauncher } from './trainer-launcher';

export interface JobEvents {
  'run-status': [EventPayload<'run-status'>];
  'run-progress': [RunProgress];
  /** Step scalars as the trainer sends them (stored with their epoch). */
  'run-steps': [EventPayload<'run-steps'>];
  /** The contract's run-epoch event adds the epoch's snapshots, read back from the store. */
  'run-epoch': [{ runId: string; metrics: EpochMetrics }];
  log: [EventPayload<'log'>];
  /** A run's Slurm job changed (submitted, its state, its end). */
  'run-slurm': [{ runId: string; job: SlurmJob }];
}

export interface RunOutcome {
  runId: string;
  status: RunStatus;
  error: string | null;
}

export interface JobManagerOptions {
  store: Store;
  launcher: TrainerLauncher;
  /** Trainer processes at once (default 1: training uses every core already). */
  concurrency?: number;
  cancelGraceMs?: number;
  /** Runs the Slurm executor's jobs (absent: runs can only execute locally). */
  slurm?: SlurmLauncher;
  /** How often cancel requests from other processes are looked for (ms; default 1000). */
  cancelPollMs?: number;
}

/** How a queued run executes: on this machine, or as a Slurm job with these settings. */
export type Execution = { executor: 'local' } | { executor: 'slurm'; slurm: Omit<SlurmLaunch, 'runId' | 'owner'> };

interface QueuedRun {
  runId: string;
  job: TrainJob;
  execution: Execution;
  resolve: (outcome: RunOutcome) => void;
}

interface ActiveRun {
  runId: string;
  handle: TrainerHandle;
  executor: 'local' | 'slurm';
  /** Followed after a restart: the trainer started under another host. */
  adopted: boolean;
  /** Its outcome is known (final message or exit); the handle may still be ending. */
  settled: boolean;
  /** Hands the settled outcome to the caller (Slurm runs: once the job has ended, or is let go). */
  deliver?: () => void;
  cancelRequested: boolean;
  killTimer?: NodeJS.Timeout;
  startedAt: number;
  /** The trainer said `started` (until then the run is queued with its trainer starting). */
  trainerStarted: boolean;
  firstStepAt?: number;
  stepsAtFirst: number;
  epochsTotal: number;
  epochStart: number;
}

/** How long a shutting-down host waits for the end of a Slurm job whose trainer has finished. */
const SLURM_END_WAIT_MS = 30_000;

/** A readable reason for a trainer that vanished without reporting. */
export function crashReason(code: number | null, signal: string | null, stderrTail: string): string {
  if (/heap out of memory|Allocation failed|ERR_MEMORY_ALLOCATION_FAILED|RangeError: Array buffer allocation failed|WebAssembly.Memory/i.test(stderrTail)) {
    return 'The trainer process ran out of memory; try a smaller batch size or model.';
  }
  if (signal) return `The trainer process was killed by signal ${signal}.`;
  const lastLine = stderrTail.trim().split('\n').filter((l) => l.trim() !== '').pop();
  return `The trainer process exited with code ${code ?? 'unknown'} before finishing${lastLine ? ` (${lastLine.trim().slice(0, 300)})` : ''}.`;
}

export class JobManager extends EventEmitter<JobEvents> {
  private readonly store: Store;
  private readonly launcher: TrainerLauncher;
  private readonly concurrency: number;
  private readonly cancelGraceMs: number;
  private readonly queue: QueuedRun[] = [];
  private readonly active = new Map<string, ActiveRun>();
  /**
   * Step scalars of each run's current epoch, not yet stored: they are written with the epoch in its
   * one transaction (a crash mid-epoch loses them with the epoch itself, which a resume trains again).
   * Readers (runs.steps) see them here meanwhile.
   */
  private readonly pendingSteps = new Map<string, StepScalars[]>();
  /** This manager's name on the run locks it holds (unique per manager, even within one process). */
  private readonly owner = crypto.randomUUID();
  /** Final statuses that could not be written (storage errors), to retry. */
  private readonly unrecorded = new Map<string, { status: RunStatus; error: string | null }>();
  private readonly slurm: SlurmLauncher | undefined;
  private readonly cancelPollMs: number;
  private cancelPoll: NodeJS.Timeout | undefined;

  constructor(o: JobManagerOptions) {
    super();
    this.store = o.store;
    this.launcher = o.launcher;
    this.concurrency = Math.max(1, o.concurrency ?? 1);
    this.cancelGraceMs = o.cancelGraceMs ?? 15_000;
    this.slurm = o.slurm;
    this.cancelPollMs = o.cancelPollMs ?? 1000;
  }

  /** Whether Slurm runs can be started (a launcher was given). */
  get slurmEnabled(): boolean {
    return this.slurm !== undefined;
  }

  concurrencyLimit(): number {
    return this.concurrency;
  }

  /** Queues a training job for a run already created in the store (status `queued`). */
  submitRun(runId: string, job: TrainJob, execution: Execution = { executor: 'local' }): Promise<RunOutcome> {
    if (execution.executor === 'slurm' && !this.slurm) throw new Error('This host has no Slurm launcher.');
    return new Promise((resolve) => {
      this.queue.push({ runId, job, execution, resolve });
      // A Slurm run waits in the cluster's queue, not for a slot here (its job's state says where it is).
      this.emit('run-status', { runId, status: 'queued', error: null, ...(execution.executor === 'local' ? { queuePhase: 'waiting' as const } : {}) });
      this.pump();
    });
  }

  /**
   * Follows a Slurm job submitted earlier (by this host before a restart, or by another that is
   * gone): takes the run's lock over from the job's previous follower and records the messages
   * from where the store says ingestion stopped. Throws StoreError('conflict') when a live host
   * follows it already. Resolves when the job has ended and its outcome is recorded.
   */
  adopt(record: SlurmJobRecord): Promise<RunOutcome> {
    if (!this.slurm) throw new Error('This host has no Slurm launcher.');
    if (this.active.has(record.runId)) throw new Error(`Run ${record.runId} is already followed here.`);
    this.store.runLocks.adopt(record.runId, this.owner, record.jobId);
    const run = this.store.runs.require(record.runId);
    const handle = this.slurm.adopt(record);
    return new Promise((resolve) => {
      this.attach({ runId: record.runId, job: null, execution: { executor: 'slurm' } as Execution, resolve }, handle, run.config.epochs, true);
      this.log(record.runId, 'info', `Following Slurm job ${record.jobId} (attempt ${record.attempt}) again.`);
    });
  }

  isActive(runId: string): boolean {
    return this.active.has(runId) || this.queue.some((q) => q.runId === runId);
  }

  /** Waiting for a free slot (not yet handed to a trainer). */
  isQueued(runId: string): boolean {
    return this.queue.some((q) => q.runId === runId);
  }

  /** For a run the manager holds before it trains: waiting for a slot, or its trainer starting. */
  queuePhase(runId: string): 'waiting' | 'starting' | null {
    if (this.isQueued(runId)) return 'waiting';
    const run = this.active.get(runId);
    if (!run || run.trainerStarted) return null;
    // A Slurm job picked up again (adopted) is whatever its stored status says: it may have trained
    // for hours, and its `started` is not read again. A submitted one waits in the cluster's queue
    // (its job's state says so), then starts its trainer on the node.
    return run.adopted ? null : 'starting';
  }

  /** Step scalars the trainer sent for the epoch in progress (not stored yet). */
  unsavedSteps(runId: string): StepScalars[] {
    return [...(this.pendingSteps.get(runId) ?? [])];
  }

  /**
   * Writes a line to the run's log and tells the UI (a line for a deleted run is only sent). Public
   * for the Slurm launcher, whose lines (a job submitted, the controller not answering) are the run's too.
   */
  log(runId: string, level: 'info' | 'warn' | 'error', message: string, source?: string): void {
    let line = null;
    try {
      if (source !== undefined && this.store.logs.has(runId, source)) return; // read again after a restart: stored already
      line = this.store.logs.append(runId, level, message, source);
    } catch {
      // A log line is not worth failing a run over (a full disk shows up in the epoch's write).
    }
    this.emit('log', { runId, level, message, ...(line ? { seq: line.seq, time: line.time } : {}) });
  }

  /** Cancels a queued or running run; false if the manager does not own it. */
  cancel(runId: string): boolean {
    const queued = this.queue.findIndex((q) => q.runId === runId);
    if (queued >= 0) {
      const [item] = this.queue.splice(queued, 1);
      this.finish(runId, 'cancelled', null);
      item!.resolve({ runId, status: 'cancelled', error: null });
      return true;
    }
    const run = this.active.get(runId);
    if (!run) return false;
    // Already cancelling: the message was sent and the kill timer runs; a second timer would be
    // orphaned (the exit handler clears only one) and hold the host's event loop for the grace period.
    if (run.cancelRequested) return true;
    run.cancelRequested = true;
    run.handle.send({ type: 'cancel' });
    run.handle.requestCancel?.();
    run.killTimer = setTimeout(() => run.handle.kill(), this.cancelGraceMs);
    return true;
  }

  /** Cancels everything (host shutdown) and waits for the trainers to exit. */
  async shutdown(): Promise<void> {
    for (const q of [...this.queue]) this.cancel(q.runId);
    // Slurm jobs train on without this host: let them go, for the next host to pick up. One whose
    // trainer has finished is waited for instead (its job ends within seconds), so that its end is
    // recorded and its lock freed; if Slurm does not say so in time, it is let go as well.
    for (const r of [...this.active.values()]) if (r.handle.detach && !r.settled) this.detach(r);
    const waits = [...this.active.values()].map(
      (r) =>
        new Promise<void>((resolve) => {
          r.handle.onExit(() => resolve());
          if (r.handle.detach) {
            setTimeout(() => {
              if (this.active.get(r.runId) === r) this.detach(r);
              resolve();
            }, SLURM_END_WAIT_MS).unref();
          }
        }),
    );
    for (const r of [...this.active.values()]) if (!r.handle.detach) this.cancel(r.runId);
    await Promise.all(waits);
    this.slurm?.shutdown();
    this.stopCancelPoll();
    this.retryUnrecorded();
  }

  private detach(run: ActiveRun): void {
    run.handle.detach!();
    run.deliver?.();
    if (run.killTimer) clearTimeout(run.killTimer);
    this.active.delete(run.runId);
    try {
      this.store.runLocks.detach(run.runId, this.owner);
    } catch {
      // The lock names the job; a stale host part is taken over by whoever adopts it.
    }
    this.log(run.runId, 'info', `Run ${run.runId} goes on in Slurm without this host; it is recorded when a host picks it up again.`);
  }

  /** Local trainers running (Slurm jobs do not take a local slot). */
  private localActive(): number {
    let n = 0;
    for (const r of this.active.values()) if (r.executor === 'local') n += 1;
    return n;
  }

  /** Looks for cancel requests from other processes while runs are queued or active here. */
  private ensureCancelPoll(): void {
    if (this.cancelPoll) return;
    this.cancelPoll = setInterval(() => {
      const ids = [...this.active.keys(), ...this.queue.map((q) => q.runId)];
      if (ids.length === 0) return this.stopCancelPoll();
      let asked: string[] = [];
      try {
        asked = this.store.runs.cancelRequested(ids);
      } catch {
        return; // the store is busy or unreadable: look again next time
      }
      for (const id of asked) {
        this.log(id, 'info', `Run ${id} cancelled from another process.`);
        this.cancel(id);
      }
    }, this.cancelPollMs);
    this.cancelPoll.unref();
  }

  private stopCancelPoll(): void {
    if (this.cancelPoll) clearInterval(this.cancelPoll);
    this.cancelPoll = undefined;
  }

  private pump(): void {
    // Slurm runs go to the cluster at once; local ones wait for a slot.
    for (const item of this.queue.filter((q) => q.execution.executor === 'slurm')) {
      this.queue.splice(this.queue.indexOf(item), 1);
      this.launch(item);
    }
    while (this.localActive() < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.launch(next);
    }
    if (this.queue.length > 0 || this.active.size > 0) this.ensureCancelPoll();
  }

  private launch(item: QueuedRun): void {
    const { runId, job } = item;
    try {
      this.store.runLocks.acquire(runId, this.owner);
    } catch (e) {
      this.refuse(item, e);
      return;
    }
    let handle: TrainerHandle;
    try {
      const { execution } = item;
      handle = execution.executor === 'slurm' ? this.slurm!.launch({ runId, owner: this.owner, ...execution.slurm }) : this.launcher();
    } catch (e) {
      this.releaseLock(runId);
      const error = `The trainer process could not be started: ${e instanceof Error ? e.message : String(e)}`;
      this.finish(runId, 'failed', error, true);
      item.resolve({ runId, status: 'failed', error });
      return;
    }
    if (handle.pid !== undefined) {
      try {
        this.store.runLocks.setTrainer(runId, this.owner, handle.pid);
      } catch {
        // The lock still names this host, which outlives its trainer (or takes it down with it).
      }
    }
    this.attach(item, handle, job.config.epochs, false);
    handle.send({ type: 'run', job });
    // A slot was free: say so, so the UI shows "starting" instead of "waiting for a slot" (a Slurm
    // run's job shows its own state instead).
    if (item.execution.executor === 'local') this.emit('run-status', { runId, status: 'queued', error: null, queuePhase: 'starting' });
  }

  /** Follows a started (or adopted) trainer: its messages, its end, and the run's lock. */
  private attach(item: Omit<QueuedRun, 'job'> & { job: TrainJob | null }, handle: TrainerHandle, epochsTotal: number, adopted: boolean): void {
    const { runId } = item;
    const run: ActiveRun = {
      runId,
      handle,
      executor: item.execution.executor,
      adopted,
      settled: false,
      cancelRequested: false,
      startedAt: Date.now(),
      trainerStarted: false,
      stepsAtFirst: 0,
      epochsTotal,
      epochStart: 0,
    };
    this.active.set(runId, run);
    this.ensureCancelPoll();
    let settled = false;
    // A Slurm run's caller hears of the outcome once the job's end is recorded too (its state,
    // exit code, the lock freed), which follows the trainer's final message within a poll or two.
    const atExit = handle.detach !== undefined;
    const settle = (status: RunStatus, error: string | null, source?: string): void => {
      if (settled) return;
      settled = true;
      run.settled = true;
      const recorded = this.finish(runId, status, error, true, source);
      run.deliver = () => {
        run.deliver = undefined;
        item.resolve({ runId, status, error: recorded });
      };
      if (!atExit) run.deliver();
    };
    handle.onMessage((raw, source) => {
      const parsed = TrainerMessage.safeParse(raw);
      if (!parsed.success) {
        this.emit('log', { runId, level: 'error', message: `Malformed trainer message ignored: ${parsed.error.issues[0]?.message}` });
        return;
      }
      try {
        this.onTrainerMessage(run, parsed.data, settle, source);
        if (isFinalMessage(parsed.data)) handle.send({ type: 'exit' });
      } catch (e) {
        // A store write failed: stop the trainer rather than train on without recording.
        if (parsed.data.type === 'epoch') this.dropUnrecordedCheckpoint(runId, parsed.data.record);
        const what = parsed.data.type === 'epoch' ? `Recording epoch ${parsed.data.record.metrics.epoch} of the run` : 'Recording the run';
        settle('failed', `${what} failed: ${describeStorageError(e)}.`);
        handle.kill();
      }
    });
    handle.onExit((code, signal, stderrTail, verdict?: ExitVerdict) => {
      if (run.killTimer) clearTimeout(run.killTimer);
      run.killTimer = undefined;
      this.active.delete(runId);
      // Only now, with the trainer gone, may another trainer take the run.
      this.releaseLock(runId);
      if (!settled) {
        if (run.cancelRequested && verdict?.status !== 'completed') settle('cancelled', null);
        else if (verdict) settle(verdict.status, verdict.error);
        else settle('failed', crashReason(code, signal, stderrTail));
      }
      run.deliver?.();
      this.retryUnrecorded();
      this.pump();
    });
  }

  /** `source` names the message when it may arrive twice (Slurm): its log line is then written once. */
  private onTrainerMessage(run: ActiveRun, m: TrainerMessage, settle: (s: RunStatus, e: string | null, source?: string) => void, source?: string): void {
    const { runId } = run;
    switch (m.type) {
      case 'started':
        // An adopted job's `started` may be read a second time (the host stopped between recording
        // it and recording how far it had read): the run is running already, which is right.
        if (!(run.adopted && this.store.runs.require(runId).status === 'running')) this.store.runs.markRunning(runId, { backend: m.backend });
        if (m.modelInfo) this.store.runs.setModelInfo(runId, m.modelInfo);
        run.epochStart = this.store.runs.require(runId).epochsDone;
        run.trainerStarted = true;
        this.pendingSteps.delete(runId);
        this.emit('run-status', { runId, status: 'running', error: null });
        this.log(runId, 'info', `Training on the ${m.backend} backend${run.epochStart > 0 ? `, from epoch ${run.epochStart + 1}` : ''}.`, source);
        break;
      case 'progress': {
        const done = (m.epoch - 1) * m.steps + m.step;
        const total = run.epochsTotal * m.steps;
        const now = Date.now();
        if (run.firstStepAt === undefined) {
          run.firstStepAt = now;
          run.stepsAtFirst = done;
        }
        const rate = (done - run.stepsAtFirst) / Math.max(1, now - run.firstStepAt);
        this.emit('run-progress', {
          runId,
          epoch: m.epoch,
          epochs: run.epochsTotal,
          step: m.step,
          steps: m.steps,
          loss: m.loss,
          lr: m.lr,
          fraction: done / total,
          etaSeconds: rate > 0 ? (total - done) / rate / 1000 : null,
        });
        break;
      }
      case 'scalars': {
        const pending = this.pendingSteps.get(runId) ?? [];
        pending.push(m.row);
        this.pendingSteps.set(runId, pending);
        this.emit('run-steps', { runId, rows: [m.row] });
        break;
      }
      case 'epoch': {
        const epoch = m.record.metrics.epoch;
        const pending = this.pendingSteps.get(runId) ?? [];
        this.store.runs.recordEpoch(runId, m.record, pending.filter((r) => r.epoch <= epoch));
        this.pendingSteps.set(runId, pending.filter((r) => r.epoch > epoch));
        this.emit('run-epoch', { runId, metrics: m.record.metrics });
        break;
      }
      case 'log':
        this.log(runId, m.level, m.message, source);
        break;
      case 'result':
        break;
      case 'done':
        settle(m.status, null, source);
        break;
      case 'failed':
        settle('failed', m.error, source);
        break;
    }
  }

  /**
   * Records a run's end and announces it; returns the error as it stands (with a note when the
   * status could not be written). `launched`: a trainer ran for it (not a cancel in the queue).
   * Never throws: this runs inside trainer event handlers.
   */
  private finish(runId: string, status: RunStatus, error: string | null, launched = false, source?: string): string | null {
    this.pendingSteps.delete(runId);
    if (status === 'failed') this.log(runId, 'error', `Failed: ${error ?? 'no reason was given'}`, source);
    else if (status === 'cancelled') this.log(runId, 'warn', 'Cancelled.', source);
    else if (status === 'completed') this.log(runId, 'info', 'Completed.', source);
    if (status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'interrupted') {
      try {
        this.record(runId, status, error, launched);
        this.unrecorded.delete(runId);
      } catch (e) {
        const problem = describeStorageError(e);
        this.unrecorded.set(runId, { status, error });
        this.emit('log', {
          runId,
          level: 'error',
          message: `Run ${runId} ended ${status}, but that could not be recorded: ${problem}; the host tries again when the trainer has exited, else the run shows as interrupted after a restart.`,
        });
        error = error ?? `Its final status could not be recorded: ${problem}.`;
      }
    }
    this.emit('run-status', { runId, status, error });
    return error;
  }

  private record(runId: string, status: FinishedStatus, error: string | null, launched: boolean): void {
    // A resumed run waits in the queue with its previous final status still stored (the row turns
    // `running` only when its trainer starts); cancelling it there leaves that status as it was.
    const current = this.store.runs.get(runId);
    if (!current) return;
    if (current.status === 'queued' || current.status === 'running') {
      this.store.runs.markFinished(runId, status, error);
    } else if (launched && status === 'failed' && current.status !== 'completed') {
      // A resume whose trainer failed before it started (a damaged checkpoint): the new reason
      // replaces the old attempt's error.
      this.store.runs.markResumeFailed(runId, error ?? 'The resumed run failed before it started.');
    }
  }

  /**
   * The checkpoint of an epoch that could not be recorded is referenced by nothing (the epoch's
   * transaction rolled back): remove it. On a full disk that is what makes room for the run's
   * final status.
   */
  private dropUnrecordedCheckpoint(runId: string, record: EpochRecord): void {
    if (!record.checkpoint) return;
    try {
      if (this.store.checkpoints.list(runId).some((c) => c.epoch === record.metrics.epoch)) return;
      fs.rmSync(record.checkpoint.path, { force: true });
    } catch {
      // Unreadable store or file: leave it; a resume only ever uses recorded checkpoints.
    }
  }

  /** Writes the final statuses that failed to be written before (the disk may have room again). */
  private retryUnrecorded(): void {
    for (const [runId, { status, error }] of [...this.unrecorded]) {
      if (this.active.has(runId)) continue;
      try {
        this.record(runId, status as FinishedStatus, error, true);
        this.unrecorded.delete(runId);
      } catch {
        // Still failing: start-up recovery will mark it interrupted.
      }
    }
  }

  /**
   * The run's lock is held by another process: nothing starts, and the run's row is left to the
   * process that trains it. The caller gets the sentence as a failed outcome.
   */
  private refuse(item: QueuedRun, e: unknown): void {
    const error =
      e instanceof StoreError && e.code === 'conflict' ? e.message : `The run's training lock could not be taken: ${describeStorageError(e)}.`;
    let stored: { status: RunStatus; error: string | null } | null = null;
    try {
      stored = this.store.runs.get(item.runId);
    } catch {
      // Unreadable too: report the refusal alone.
    }
    this.emit('log', { runId: item.runId, level: 'error', message: error });
    this.emit('run-status', { runId: item.runId, status: stored?.status ?? 'failed', error: stored?.error ?? error });
    item.resolve({ runId: item.runId, status: 'failed', error });
  }

  private releaseLock(runId: string): void {
    try {
      this.store.runLocks.release(runId, this.owner);
    } catch {
      // Left behind, the row is stale once this host and its trainer are gone, and is taken over.
    }
  }
}
