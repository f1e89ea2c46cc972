/**
 * Prune & export for one source run: its stored sensitivity sweeps (the newest, or an older one
 * picked from the history, drives the slider), the point the user is looking at (the knee, against
 * the unpruned model on the same validation images, whenever a sweep is shown), progress while a
 * sweep runs, the prunes already made, and exports with their verification.
 * A host that does not offer the pruning methods yet answers `unknown-method`; `available` turns
 * false and the view explains that instead of showing a broken form.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError, errorMessage, type ExportView, type PruneView, type SweepView } from '../api';
import { kneeIndex } from '../../../src-main/shared/knee';
import type { PruneCriterion, PruneScope, SweepPoint } from '../../../src-main/shared/prune-types';
import type { ExportRecord } from '../../../src-main/shared/store-types';

export const usePruneStore = defineStore('prune', () => {
  const runId = ref<string | null>(null);
  const available = ref(true);
  /** Newest first, as the host lists them. */
  const sweeps = ref<SweepView[]>([]);
  const prunes = ref<PruneView[]>([]);
  /** Exports of the run and of its prunes, newest first. */
  const exports = ref<ExportRecord[]>([]);
  /** The export just made (with its full verification report). */
  const lastExport = ref<ExportView | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const busy = ref<null | 'sweep' | 'prune' | 'export'>(null);
  const actionError = ref<string | null>(null);
  /** Index into the sweep's points chosen with the slider. */
  const pointIndex = ref(0);
  /** The sweep picked from the history; null: the newest. */
  const selectedSweepId = ref<string | null>(null);
  /** Points measured of the sweep running now (sweep-progress events). */
  const sweepProgress = ref<{ done: number; total: number } | null>(null);
  let unsubscribe: (() => void) | null = null;

  const sweep = computed(() => sweeps.value.find((s) => s.sweepId === selectedSweepId.value) ?? sweeps.value[0] ?? null);
  /**
   * What the points are compared with: the unpruned model on the same validation images. Sweeps
   * stored before the reference existed fall back to their first point (and say so in the view).
   */
  const reference = computed(() => sweep.value?.reference?.accuracy ?? points.value[0]?.accuracy ?? null);
  const points = computed<SweepPoint[]>(() => {
    const pts = sweep.value?.points ?? [];
    return [...pts].sort((a, b) => (a.threshold ?? a.ratio ?? 0) - (b.threshold ?? b.ratio ?? 0));
  });
  const mode = computed<'threshold' | 'ratio'>(() => (points.value[0]?.ratio !== undefined ? 'ratio' : 'threshold'));
  const point = computed(() => points.value[Math.min(pointIndex.value, points.value.length - 1)] ?? null);
  const sweepOptions = computed(() => (sweep.value?.options ?? {}) as { criterion?: PruneCriterion; scope?: PruneScope; minChannels?: number; aggregate?: 'max' | 'mean' });

  function unavailable(e: unknown): boolean {
    if (e instanceof ApiError && (e.code === 'unknown-method' || e.status === 404)) {
      available.value = false;
      return true;
    }
    return false;
  }

  async function load(id: string): Promise<void> {
    runId.value = id;
    loading.value = true;
    error.value = null;
    actionError.value = null;
    try {
      const [s, p] = await Promise.all([api.call('prune.sweeps', { runId: id }), api.call('prune.list', { runId: id })]);
      available.value = true;
      sweeps.value = s;
      prunes.value = p;
      lastExport.value = null;
      await loadExports();
      selectedSweepId.value = null;
      toKnee();
      listen();
    } catch (e) {
      if (!unavailable(e)) error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  /** The slider to the knee: the largest step within one point of the unpruned reference (shared/knee.ts). */
  function toKnee(): void {
    pointIndex.value = reference.value === null ? 0 : Math.max(0, kneeIndex(points.value, reference.value));
  }

  /** Shows an older (or the newest) stored sweep, slider at its knee. */
  function selectSweep(sweepId: string): void {
    selectedSweepId.value = sweepId;
    toKnee();
  }

  function listen(): void {
    unsubscribe ??= api.on('sweep-progress', (e) => {
      if (e.runId === runId.value && busy.value === 'sweep') sweepProgress.value = { done: e.done, total: e.total };
    });
  }

  async function loadExports(): Promise<void> {
    const id = runId.value;
    if (!id) return;
    const lists = await Promise.all([
      api.call('export.list', { runId: id }),
      ...prunes.value.map((p) => api.call('export.list', { pruneId: p.pruneId })),
    ]);
    // A run's list may already include its prunes' exports: one row per export id.
    const byId = new Map(lists.flat().map((x) => [x.id, x]));
    exports.value = [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async function act<T>(kind: 'sweep' | 'prune' | 'export', fn: () => Promise<T>): Promise<T | null> {
    busy.value = kind;
    actionError.value = null;
    try {
      return await fn();
    } catch (e) {
      if (!unavailable(e)) actionError.value = errorMessage(e);
      return null;
    } finally {
      busy.value = null;
    }
  }

  const runSweep = (o: { criterion: PruneCriterion; scope: PruneScope; mode: 'threshold' | 'ratio'; minChannels: number }) =>
    act('sweep', async () => {
      if (!runId.value) return null;
      const grid = o.mode === 'ratio' ? { ratios: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] } : { thresholds: [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5] };
      const s = await api.call('prune.sweep', {
        runId: runId.value,
        options: { criterion: o.criterion, scope: o.scope, aggregate: 'max', minChannels: o.minChannels, valLimit: 1000, ...grid },
      });
      sweeps.value = [s, ...sweeps.value];
      selectedSweepId.value = s.sweepId;
      toKnee();
      return s;
    }).finally(() => {
      sweepProgress.value = null;
    });

  /** Prunes at the chosen sweep point and queues the fine-tune; returns the child run id. */
  const pruneAndFinetune = (finetuneEpochs: number) =>
    act('prune', async () => {
      const pt = point.value;
      if (!runId.value || !pt) return null;
      const o = sweepOptions.value;
      const r = await api.call('prune.run', {
        runId: runId.value,
        options: {
          selection: {
            criterion: o.criterion ?? 'spread',
            scope: o.scope ?? 'layer',
            aggregate: o.aggregate ?? 'max',
            ...(o.minChannels ? { minChannels: o.minChannels } : {}),
            ...(mode.value === 'ratio' ? { ratio: pt.ratio ?? 0 } : { threshold: pt.threshold ?? 0 }),
          },
          finetuneEpochs,
        },
      });
      prunes.value = [...prunes.value, r.prune];
      return r.child?.id ?? null;
    });

  /** Exports a run (its last checkpoint) or a prune (its fine-tuned model when done) and verifies it. */
  const exportModel = (target: string, format: 'tfjs' | 'onnx') =>
    act('export', async () => {
      const view = await api.call('export.run', { target, format });
      lastExport.value = view;
      await loadExports();
      return view;
    });

  return {
    runId, available, sweeps, sweep, selectedSweepId, reference, sweepProgress, points, mode, point, pointIndex, prunes, exports, lastExport, loading, error, busy, actionError,
    load, selectSweep, runSweep, pruneAndFinetune, exportModel,
  };
});
