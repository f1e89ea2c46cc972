/**
 * The job manager's events as contract events: validated before they are sent (a drift between
 * the job manager and the contract becomes a log line, not bad data in the UI), progress throttled
 * per run, and each epoch's layer snapshots read back from the store so heatmaps update live.
 */
import { events, type EventFrame, type EventName, type EventPayload } from '../shared/contract';
import type { Store } from '../store';
import type { JobManager } from './jobs';

/** Smallest gap between two progress events of one run sent to the UI. */
export const PROGRESS_INTERVAL_MS = 200;
/** Longest a step row waits before it is sent to the UI (rows of one run travel together). */
export const STEPS_INTERVAL_MS = 250;

export class EventBridge {
  private readonly listeners = new Set<(frame: EventFrame) => void>();
  private readonly lastProgress = new Map<string, number>();
  private readonly detach: () => void;
  private readonly pendingSteps = new Map<string, EventPayload<'run-steps'>['rows']>();
  private readonly stepTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly jobs: JobManager,
    private readonly store: Store,
  ) {
    const onStatus = (p: EventPayload<'run-status'>): void => {
      if (p.status !== 'queued' && p.status !== 'running') this.lastProgress.delete(p.runId);
      this.emit('run-status', p);
    };
    // The trainer reports every step, which can be hundreds a second on small batches: at most one
    // progress event every PROGRESS_INTERVAL_MS per run, plus each epoch's last step.
    const onProgress = (p: EventPayload<'run-progress'>): void => {
      const now = Date.now();
      if (p.step !== p.steps && now - (this.lastProgress.get(p.runId) ?? 0) < PROGRESS_INTERVAL_MS) return;
      this.lastProgress.set(p.runId, now);
      this.emit('run-progress', p);
    };
    const onEpoch = (p: { runId: string; metrics: EventPayload<'run-epoch'>['metrics'] }): void => {
      this.flushSteps(p.runId);
      // The job manager emits after the epoch's transaction, so its snapshots are in the store.
      let snapshots: EventPayload<'run-epoch'>['snapshots'] = [];
      try {
        snapshots = this.store.snapshots.list(p.runId, { epoch: p.metrics.epoch });
      } catch {
        // The run was deleted meanwhile; the metrics alone still make a valid event.
      }
      this.emit('run-epoch', { runId: p.runId, metrics: p.metrics, snapshots });
    };
    // Step rows arrive every few steps: sent in batches, at most one event per run per STEPS_INTERVAL_MS,
    // and always before that run's next epoch event (so a chart never sees an epoch before its steps).
    const onSteps = (p: EventPayload<'run-steps'>): void => {
      const pending = this.pendingSteps.get(p.runId);
      if (pending) {
        pending.push(...p.rows);
        return;
      }
      this.pendingSteps.set(p.runId, [...p.rows]);
      this.stepTimers.set(p.runId, setTimeout(() => this.flushSteps(p.runId), STEPS_INTERVAL_MS));
    };
    const onLog = (p: EventPayload<'log'>): void => this.emit('log', p);
    const onSlurm = (p: EventPayload<'run-slurm'>): void => this.emit('run-slurm', p);
    jobs.on('run-slurm', onSlurm);
    jobs.on('run-status', onStatus);
    jobs.on('run-progress', onProgress);
    jobs.on('run-epoch', onEpoch);
    jobs.on('run-steps', onSteps);
    jobs.on('log', onLog);
    this.detach = () => {
      jobs.off('run-status', onStatus);
      jobs.off('run-progress', onProgress);
      jobs.off('run-epoch', onEpoch);
      jobs.off('run-steps', onSteps);
      jobs.off('log', onLog);
      jobs.off('run-slurm', onSlurm);
    };
  }

  private flushSteps(runId: string): void {
    const timer = this.stepTimers.get(runId);
    if (timer) clearTimeout(timer);
    this.stepTimers.delete(runId);
    const rows = this.pendingSteps.get(runId);
    this.pendingSteps.delete(runId);
    if (rows && rows.length > 0) this.emit('run-steps', { runId, rows });
  }

  /** Receives every event as a frame; returns the unsubscribe function. */
  subscribe(listener: (frame: EventFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const parsed = events[event].safeParse(payload);
    if (!parsed.success) {
      const message = `Dropped a malformed ${event} event: ${parsed.error.issues[0]?.message ?? 'invalid'}.`;
      if (event !== 'log') this.emit('log', { runId: null, level: 'error', message });
      return;
    }
    const frame: EventFrame = { event, payload: parsed.data };
    for (const l of this.listeners) {
      try {
        l(frame);
      } catch {
        // One broken transport (a closed socket) must not stop the others.
      }
    }
  }

  dispose(): void {
    for (const t of this.stepTimers.values()) clearTimeout(t);
    this.stepTimers.clear();
    this.pendingSteps.clear();
    this.listeners.clear();
    this.detach();
  }
}
