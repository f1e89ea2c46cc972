/**
 * The run list of the current project plus live progress of every active run, fed by host events.
 * Events are applied in place (status, epochs done, progress) so the list never refetches per step;
 * a status event for a run the list does not know yet triggers one reload (a run started elsewhere,
 * e.g. from the CLI on the same data directory).
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, errorMessage, type RunProgress, type RunSummary } from '../api';
import type { Run } from '../../../src-main/shared/store-types';
import { useRunDetailStore } from './runDetail';
import { isActiveStatus } from '../../../src-main/shared/metrics';
import { fresherSlurmJob } from '../../../src-main/shared/executor';

export const useRunsStore = defineStore('runs', () => {
  const items = ref<Run[]>([]);
  const projectId = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** Latest progress event per run id (kept after the list reloads). */
  const progress = ref<Record<string, RunProgress>>({});
  /**
   * Final metrics per finished run for the table (runs.list carries no metrics). Fetched once per
   * finished run and dropped when the run changes status.
   */
  const summaries = ref<Record<string, RunSummary>>({});
  const unsubscribers: Array<() => void> = [];

  const active = computed(() => items.value.filter((r) => isActiveStatus(r.status)));
  /** Queued runs whose trainer is already starting (not waiting for a slot). */
  const starting = computed<Record<string, boolean>>(() => Object.fromEntries(items.value.filter((r) => r.status === 'queued' && r.queuePhase === 'starting').map((r) => [r.id, true])));

  async function load(pid: string | null = projectId.value): Promise<void> {
    projectId.value = pid;
    loading.value = true;
    error.value = null;
    try {
      const list = await api.call('runs.list', pid ? { projectId: pid } : {});
      // Keep a job end that a run-slurm event brought while the list was read.
      const shown = new Map(items.value.map((r) => [r.id, r.slurmJob]));
      for (const r of list) r.slurmJob = fresherSlurmJob(r.slurmJob, shown.get(r.id) ?? null);
      items.value = list;
      void loadSummaries();
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  async function loadSummaries(): Promise<void> {
    const missing = items.value.filter((r) => !isActiveStatus(r.status) && r.epochsDone > 0 && !summaries.value[r.id]).map((r) => r.id);
    // One call per 500 runs (the host's limit), not one per run.
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += 500) chunks.push(missing.slice(i, i + 500));
    const got = await Promise.all(chunks.map((runIds) => api.call('runs.summaries', { runIds }).catch(() => [] as RunSummary[])));
    const next = { ...summaries.value };
    for (const s of got.flat()) next[s.runId] = s;
    summaries.value = next;
  }

  function byId(id: string): Run | undefined {
    return items.value.find((r) => r.id === id);
  }

  /** Subscribes to the host's run events once for the app's lifetime. */
  function listen(): void {
    if (unsubscribers.length > 0) return;
    unsubscribers.push(
      api.on('run-status', (e) => {
        const run = byId(e.runId);
        if (!run) {
          void load();
          return;
        }
        run.status = e.status;
        run.error = e.error;
        if (e.status === 'queued') run.queuePhase = e.queuePhase ?? 'waiting';
        else delete run.queuePhase;
        if (summaries.value[e.runId]) {
          const rest = { ...summaries.value };
          delete rest[e.runId];
          summaries.value = rest;
        }
        if (!isActiveStatus(e.status)) {
          // Final numbers (duration, finishedAt) come from the store; one reload per finished run.
          void load();
        }
      }),
      api.on('run-progress', (p) => {
        progress.value = { ...progress.value, [p.runId]: p };
        const run = byId(p.runId);
        if (run && run.status === 'queued') run.status = 'running';
      }),
      api.on('run-epoch', (e) => {
        const run = byId(e.runId);
        if (run) run.epochsDone = Math.max(run.epochsDone, e.metrics.epoch);
      }),
      api.on('run-slurm', (e) => {
        const run = byId(e.runId);
        if (run) Object.assign(run, { executor: 'slurm', slurmJob: e.job });
      }),
    );
  }

  function stopListening(): void {
    while (unsubscribers.length) unsubscribers.pop()!();
  }

  /** Creates a run from a config and queues it; returns the new run's id. Throws the host's reason. */
  async function createAndStart(input: {
    config: Record<string, unknown>;
    name?: string;
    projectId?: string | null;
    executor?: 'local' | 'slurm';
    slurm?: Record<string, string | number>;
  }): Promise<string> {
    const run = await api.call('runs.create', input);
    items.value = [run, ...items.value.filter((r) => r.id !== run.id)];
    return run.id;
  }

  /**
   * Renames a run; the list row, the open run (or its parent's / child's row on the run page) show
   * the new name at once. Throws the host's reason (e.g. an empty name) for the dialog's field.
   */
  async function rename(runId: string, name: string): Promise<Run> {
    const renamed = await api.call('runs.rename', { runId, name });
    items.value = items.value.map((r) => (r.id === runId ? { ...r, name: renamed.name } : r));
    useRunDetailStore().renamed(runId, renamed.name);
    return renamed;
  }

  /**
   * Deletes a run with its fine-tune children (the host's answer lists every id that went) and
   * forgets them: list rows, progress, summaries and, if it is one of them, the open run. Throws
   * the host's refusal (a queued or running run, a running fine-tune child) and changes nothing.
   */
  async function remove(runId: string): Promise<string[]> {
    const { runIds } = await api.call('runs.delete', { runId });
    const gone = new Set([runId, ...runIds]);
    items.value = items.value.filter((r) => !gone.has(r.id));
    const keep = <T>(rec: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(rec).filter(([id]) => !gone.has(id)));
    progress.value = keep(progress.value);
    summaries.value = keep(summaries.value);
    useRunDetailStore().deleted(gone);
    return [...gone];
  }

  return { items, projectId, loading, error, progress, summaries, active, starting, load, byId, listen, stopListening, createAndStart, rename, remove };
});
