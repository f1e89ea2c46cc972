/**
 * One run as the run page shows it, read in bounded pieces (runs.get: metrics, the latest epoch's
 * snapshots and the layer × epoch sparsity grid; runs.snapshots: another epoch when the scrubber
 * goes there; runs.steps: an overview of the step scalars; runs.logs: its log) and kept live from
 * events (each epoch's metrics and snapshots, step rows, log lines are appended: no refetch), plus
 * the page's own selection state (epoch scrubber, layer) so charts stay consistent with each other.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { api, ApiError, errorMessage, type PruneView, type RunDetails } from '../api';
import type { EpochMetrics, LogLine, StepScalars } from '../../../src-main/shared/metrics';
import type { Run, SnapshotRow } from '../../../src-main/shared/store-types';
import { isActiveStatus } from '../../../src-main/shared/metrics';
import { summarizeSparsity } from '../../../src-main/shared/sparsity';
import { fresherSlurmJob } from '../../../src-main/shared/executor';
import { useProjectsStore } from './projects';

/** Step points the page asks for (an overview: bucket means past this many rows). */
export const STEP_POINTS = 3000;

/** A log line as the page shows it: kept ones have seq and time; live-only ones may not. */
export type PageLogLine = Omit<LogLine, 'seq' | 'time'> & { seq: number | null; time: string | null };

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
  /** Every layer's snapshots by epoch, as read so far (the latest comes with runs.get). */
  const epochSnapshots = ref<Record<number, SnapshotRow[]>>({});
  /** Step scalars: an overview of what was stored, then each row as it arrives. */
  const steps = ref<StepScalars[]>([]);
  const stepsDownsampled = ref(false);
  const logs = ref<PageLogLine[]>([]);
  const unsubscribers: Array<() => void> = [];

  const run = computed(() => details.value?.run ?? null);
  const isActive = computed(() => !!run.value && isActiveStatus(run.value.status));
  const metrics = computed<EpochMetrics[]>(() => [...(details.value?.metrics ?? [])].sort((a, b) => a.epoch - b.epoch));
  /** Every recorded epoch (each has its metrics and its snapshots, written together). */
  const epochs = computed(() => metrics.value.map((m) => m.epoch));
  /** Layers in network order (the grid's order). */
  const layers = computed(() => details.value?.sparsity.layers.map((l) => l.name) ?? []);
  const selectedEpoch = computed(() => {
    const last = epochs.value.at(-1) ?? null;
    return pinnedEpoch.value !== null && epochs.value.includes(pinnedEpoch.value) ? pinnedEpoch.value : last;
  });
  const snapshotsAtSelected = computed<SnapshotRow[]>(() => {
    const e = selectedEpoch.value;
    return e === null ? [] : (epochSnapshots.value[e] ?? []);
  });
  /** Whether the chosen epoch's snapshots are still being read. */
  const snapshotsLoading = computed(() => selectedEpoch.value !== null && epochSnapshots.value[selectedEpoch.value] === undefined);
  /** Structured sparsity of a layer at an epoch, from the grid (null where it has no column). */
  function structured(layer: string, epoch: number): number | null {
    const g = details.value?.sparsity;
    if (!g) return null;
    const x = g.epochs.indexOf(epoch);
    const y = g.layers.findIndex((l) => l.name === layer);
    return x < 0 || y < 0 ? null : (g.structured[y]?.[x] ?? null);
  }
  /** Share of all channels dead at the last epoch (channel-weighted). */
  const overallSparsity = computed(() => {
    const last = epochs.value.at(-1);
    const rows = last === undefined ? [] : (epochSnapshots.value[last] ?? details.value?.snapshots ?? []);
    return summarizeSparsity(rows)?.structured ?? null;
  });
  /** The chosen layer; until one is chosen, the sparsest layer at the chosen epoch (the one worth a look). */
  const currentLayer = computed(() => {
    if (selectedLayer.value && layers.value.includes(selectedLayer.value)) return selectedLayer.value;
    const rows = snapshotsAtSelected.value;
    if (rows.length === 0) return layers.value[0] ?? null;
    return rows.reduce((best, r) => (r.structuredSparsity > best.structuredSparsity ? r : best)).layer;
  });
  /** Steps per epoch, from a complete epoch's last row (its step is epoch × steps per epoch). */
  const stepsPerEpoch = computed(() => {
    const complete = new Set(epochs.value);
    for (let i = steps.value.length - 1; i >= 0; i--) {
      const r = steps.value[i]!;
      const next = steps.value[i + 1];
      if (complete.has(r.epoch) && (!next || next.epoch !== r.epoch)) return r.step / r.epoch;
    }
    return null;
  });

  function setEpoch(epoch: number | null): void {
    // Picking the last epoch means "follow": new epochs keep the scrubber at the end.
    pinnedEpoch.value = epoch !== null && epoch === epochs.value.at(-1) ? null : epoch;
  }

  // The scrubber went to an epoch not read yet: read that epoch's snapshots (one epoch, every layer).
  watch(selectedEpoch, (e) => {
    const id = runId.value;
    if (e === null || !id || epochSnapshots.value[e] !== undefined) return;
    void api
      .call('runs.snapshots', { runId: id, epoch: e })
      .then((rows) => {
        if (runId.value === id) epochSnapshots.value = { ...epochSnapshots.value, [e]: rows };
      })
      .catch((err: unknown) => {
        if (runId.value === id) actionError.value = errorMessage(err);
      });
  });

  function take(d: RunDetails): void {
    // A re-read answered before the job's end was recorded keeps the end a run-slurm event brought.
    const shown = details.value?.run.id === d.run.id ? details.value.run.slurmJob : null;
    d.run.slurmJob = fresherSlurmJob(d.run.slurmJob, shown);
    details.value = d;
    const latest = d.snapshots[0]?.epoch;
    if (latest !== undefined) epochSnapshots.value = { ...epochSnapshots.value, [latest]: d.snapshots };
  }

  async function loadSteps(id: string): Promise<void> {
    const page = await api.call('runs.steps', { runId: id, maxPoints: STEP_POINTS });
    if (runId.value !== id) return;
    // Rows that arrived as events while this was read stay (they are newer than the overview).
    const last = page.rows.at(-1)?.step ?? 0;
    steps.value = [...page.rows, ...steps.value.filter((r) => r.step > last)];
    stepsDownsampled.value = page.downsampled;
  }

  async function loadLogs(id: string): Promise<void> {
    const after = logs.value.reduce((m, l) => Math.max(m, l.seq ?? 0), 0);
    const page = await api.call('runs.logs', { runId: id, afterSeq: after, limit: 1000 });
    if (runId.value !== id) return;
    const known = new Set(logs.value.map((l) => l.seq).filter((s) => s !== null));
    logs.value = [...logs.value, ...page.lines.filter((l) => !known.has(l.seq))].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
  }

  async function load(id: string): Promise<void> {
    if (runId.value !== id) {
      details.value = null;
      sourcePrune.value = null;
      pinnedEpoch.value = null;
      selectedLayer.value = null;
      actionError.value = null;
      epochSnapshots.value = {};
      steps.value = [];
      stepsDownsampled.value = false;
      logs.value = [];
    }
    runId.value = id;
    loading.value = true;
    error.value = null;
    notFound.value = false;
    listen();
    try {
      const d = await api.call('runs.get', { runId: id });
      if (runId.value === id) {
        take(d);
        void loadSourcePrune(d.run);
        void loadSteps(id).catch(() => undefined);
        void loadLogs(id).catch(() => undefined);
        // A run opened directly (a link, a reload, its Prune page) makes its project the current one.
        const projects = useProjectsStore();
        if (d.run.projectId && projects.currentId !== d.run.projectId) projects.select(d.run.projectId);
      }
    } catch (e) {
      if (runId.value === id) {
        error.value = errorMessage(e);
        notFound.value = e instanceof ApiError && e.code === 'not-found';
      }
    } finally {
      loading.value = false;
    }
  }

  /** A fine-tune of a pruned model: the prune it starts from (for the architecture diff). */
  const sourcePrune = ref<PruneView | null>(null);
  async function loadSourcePrune(r: Run): Promise<void> {
    if (r.kind !== 'finetune' || !r.parentRunId) {
      sourcePrune.value = null;
      return;
    }
    try {
      const prunes = await api.call('prune.list', { runId: r.parentRunId });
      if (runId.value === r.id) sourcePrune.value = prunes.find((p) => p.childRunId === r.id) ?? null;
    } catch {
      // The parent may be gone; the run page still works without the diff.
      if (runId.value === r.id) sourcePrune.value = null;
    }
  }

  function listen(): void {
    if (unsubscribers.length > 0) return;
    unsubscribers.push(
      api.on('run-epoch', (e) => {
        const d = details.value;
        if (!d || e.runId !== d.run.id) return;
        const epoch = e.metrics.epoch;
        d.metrics = [...d.metrics.filter((m) => m.epoch !== epoch), e.metrics];
        d.run.epochsDone = Math.max(d.run.epochsDone, epoch);
        d.snapshots = e.snapshots;
        epochSnapshots.value = { ...epochSnapshots.value, [epoch]: e.snapshots };
        // The grid gains the epoch's column (new layers get a row).
        const g = d.sparsity;
        if (!g.epochs.includes(epoch)) {
          for (const s of e.snapshots) {
            if (!g.layers.some((l) => l.name === s.layer)) {
              g.layers.push({ name: s.layer, channels: s.channels });
              g.structured.push(g.epochs.map(() => null));
            }
          }
          g.epochs.push(epoch);
          g.layers.forEach((l, y) => g.structured[y]!.push(e.snapshots.find((s) => s.layer === l.name)?.structuredSparsity ?? null));
          g.epochCount++;
        }
      }),
      api.on('run-steps', (e) => {
        if (e.runId !== runId.value) return;
        const last = steps.value.at(-1)?.step ?? 0;
        const fresh = e.rows.filter((r) => r.step > last);
        if (fresh.length > 0) steps.value = [...steps.value, ...fresh];
        if (details.value) details.value.steps = { count: details.value.steps.count + fresh.length, first: details.value.steps.first ?? fresh[0]?.step ?? null, last: steps.value.at(-1)?.step ?? null };
      }),
      api.on('log', (e) => {
        if (e.runId === null || e.runId !== runId.value) return;
        if (e.seq !== undefined && logs.value.some((l) => l.seq === e.seq)) return;
        logs.value = [...logs.value, { seq: e.seq ?? null, time: e.time ?? new Date().toISOString(), level: e.level, message: e.message }];
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
        if (e.status === 'queued') d.run.queuePhase = e.queuePhase ?? 'waiting';
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
      if (runId.value === id) take(d);
      await loadLogs(id);
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
    runId, details, sourcePrune, loading, error, notFound, actionError, busy, run, isActive, metrics, epochs, layers,
    selectedEpoch, selectedLayer, currentLayer, snapshotsAtSelected, snapshotsLoading, structured, overallSparsity,
    steps, stepsDownsampled, stepsPerEpoch, logs,
    setEpoch, load, refresh, cancel, resume, duplicate, saveNotes, setTags, renamed, deleted,
  };
});
