/**
 * One run as the run page shows it: the stored details, kept live from events (each epoch's
 * metrics and layer snapshots are appended as they arrive, no refetch), plus the page's own
 * selection state (epoch scrubber, layer) derived so charts stay consistent with each other.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError, errorMessage, type RunDetails } from '../api';
import type { EpochMetrics } from '../../../src-main/shared/metrics';
import type { SnapshotRow } from '../../../src-main/shared/store-types';
import { isActiveStatus } from '../../../src-main/shared/metrics';

export const useRunDetailStore = defineStore('runDetail', () => {
  const runId = ref<string | null>(null);
  const details = ref<RunDetails | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** The host knows no run with this id (a wrong link, or the run was deleted). */
  const notFound = ref(false);
  /** Error of the last action (cancel, resume, notes …), shown next to the buttons. */
  const actionError = ref<string | null>(null);
  const busy = ref(false);
  /** Chosen epoch; null = follow the latest epoch as it arrives. */
  const pinnedEpoch = ref<number | null>(null);
  const selectedLayer = ref<string | null>(null);
  const unsubscribers: Array<() => void> = [];

  const run = computed(() => details.value?.run ?? null);
  const isActive = computed(() => !!run.value && isActiveStatus(run.value.status));
  const metrics = computed<EpochMetrics[]>(() => [...(details.value?.metrics ?? [])].sort((a, b) => a.epoch - b.epoch));
  const epochs = computed(() => [...new Set((details.value?.snapshots ?? []).map((s) => s.epoch))].sort((a, b) => a - b));
  /** Layers in network order: the order they appear in the earliest epoch's snapshot. */
  const layers = computed(() => {
    const snaps = details.value?.snapshots ?? [];
    const first = epochs.value[0];
    const seen: string[] = [];
    for (const s of snaps) if (s.epoch === first && !seen.includes(s.layer)) seen.push(s.layer);
    for (const s of snaps) if (!seen.includes(s.layer)) seen.push(s.layer);
    return seen;
  });
  const selectedEpoch = computed(() => {
    const last = epochs.value.at(-1) ?? null;
    return pinnedEpoch.value !== null && epochs.value.includes(pinnedEpoch.value) ? pinnedEpoch.value : last;
  });
  const index = computed(() => {
    const m = new Map<string, SnapshotRow>();
    for (const s of details.value?.snapshots ?? []) m.set(`${s.layer}@${s.epoch}`, s);
    return m;
  });
  const snapshot = (layer: string, epoch: number): SnapshotRow | undefined => index.value.get(`${layer}@${epoch}`);
  const snapshotsAtSelected = computed(() => {
    const e = selectedEpoch.value;
    return e === null ? [] : layers.value.map((l) => snapshot(l, e)).filter((s): s is SnapshotRow => !!s);
  });
  /** The chosen layer; until one is chosen, the sparsest layer at the chosen epoch (the one worth a look). */
  const currentLayer = computed(() => {
    if (selectedLayer.value && layers.value.includes(selectedLayer.value)) return selectedLayer.value;
    const rows = snapshotsAtSelected.value;
    if (rows.length === 0) return layers.value[0] ?? null;
    return rows.reduce((best, r) => (r.structuredSparsity > best.structuredSparsity ? r : best)).layer;
  });

  function setEpoch(epoch: number | null): void {
    // Picking the last epoch means "follow": new epochs keep the scrubber at the end.
    pinnedEpoch.value = epoch !== null && epoch === epochs.value.at(-1) ? null : epoch;
  }

  async function load(id: string): Promise<void> {
    if (runId.value !== id) {
      details.value = null;
      pinnedEpoch.value = null;
      selectedLayer.value = null;
      actionError.value = null;
    }
    runId.value = id;
    loading.value = true;
    error.value = null;
    notFound.value = false;
    try {
      const d = await api.call('runs.get', { runId: id });
      if (runId.value === id) details.value = d;
    } catch (e) {
      if (runId.value === id) {
        error.value = errorMessage(e);
        notFound.value = e instanceof ApiError && e.code === 'not-found';
      }
    } finally {
      loading.value = false;
    }
    listen();
  }

  function listen(): void {
    if (unsubscribers.length > 0) return;
    unsubscribers.push(
      api.on('run-epoch', (e) => {
        const d = details.value;
        if (!d || e.runId !== d.run.id) return;
        d.metrics = [...d.metrics.filter((m) => m.epoch !== e.metrics.epoch), e.metrics];
        d.run.epochsDone = Math.max(d.run.epochsDone, e.metrics.epoch);
        const epoch = e.metrics.epoch;
        d.snapshots = [...d.snapshots.filter((s) => s.epoch !== epoch), ...e.snapshots];
      }),
      api.on('run-slurm', (e) => {
        const d = details.value;
        if (d && e.runId === d.run.id) Object.assign(d.run, { executor: 'slurm', slurmJob: e.job });
      }),
      api.on('run-status', (e) => {
        const d = details.value;
        if (!d) return;
        // Fine-tune children are listed with their status (Delete on this page depends on it).
        const child = d.children.find((c) => c.id === e.runId);
        if (child) Object.assign(child, { status: e.status, error: e.error });
        if (e.runId !== d.run.id) return;
        const wasRunning = d.run.status === 'running';
        d.run.status = e.status;
        d.run.error = e.error;
        // Starting sets startedAt, backend and model size; finishing sets duration: re-read then.
        if (!isActiveStatus(e.status) || (e.status === 'running' && !wasRunning)) void refresh();
      }),
    );
  }

  /** Re-reads the details without clearing the page (no loading flash). */
  async function refresh(): Promise<void> {
    const id = runId.value;
    if (!id) return;
    try {
      const d = await api.call('runs.get', { runId: id });
      if (runId.value === id) details.value = d;
    } catch (e) {
      actionError.value = errorMessage(e);
    }
  }

  async function act(fn: () => Promise<unknown>): Promise<boolean> {
    busy.value = true;
    actionError.value = null;
    try {
      await fn();
      return true;
    } catch (e) {
      actionError.value = errorMessage(e);
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Creates and queues a copy of this run (optionally with changed fields); returns its id. */
  async function duplicate(config?: Record<string, unknown>): Promise<string | null> {
    let id: string | null = null;
    await act(async () => {
      if (!runId.value) return;
      const r = await api.call('runs.duplicate', config ? { runId: runId.value, config } : { runId: runId.value });
      id = r.id;
    });
    return id;
  }

  const cancel = () => act(async () => runId.value && (await api.call('runs.cancel', { runId: runId.value })));
  const resume = () =>
    act(async () => {
      if (!runId.value) return;
      await api.call('runs.resume', { runId: runId.value });
      await refresh();
    });
  const saveNotes = (notes: string) =>
    act(async () => {
      if (!runId.value) return;
      const r = await api.call('runs.setNotes', { runId: runId.value, notes });
      if (details.value) details.value.run = { ...details.value.run, notes: r.notes };
    });
  const setTags = (tags: string[]) =>
    act(async () => {
      if (!runId.value) return;
      const r = await api.call('runs.setTags', { runId: runId.value, tags });
      if (details.value) details.value.run = { ...details.value.run, tags: r.tags };
    });

  /** A run was renamed elsewhere (the run list's dialog): the open run or one of its children. */
  function renamed(id: string, name: string): void {
    const d = details.value;
    if (!d) return;
    if (d.run.id === id) d.run = { ...d.run, name };
    d.children = d.children.map((c) => (c.id === id ? { ...c, name } : c));
  }

  /** Runs were deleted elsewhere: close the open run if it is one of them, else drop its children. */
  function deleted(ids: ReadonlySet<string>): void {
    if (runId.value && ids.has(runId.value)) {
      details.value = null;
      runId.value = null;
    } else if (details.value) {
      details.value.children = details.value.children.filter((c) => !ids.has(c.id));
    }
  }

  return {
    runId, details, loading, error, notFound, actionError, busy, run, isActive, metrics, epochs, layers,
    selectedEpoch, selectedLayer, currentLayer, snapshotsAtSelected, snapshot,
    setEpoch, load, refresh, cancel, resume, duplicate, saveNotes, setTags, renamed, deleted,
  };
});
