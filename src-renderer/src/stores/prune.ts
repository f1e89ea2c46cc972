/**
 * Prune & export for one source run: its stored sensitivity sweep (which drives the slider), the
 * point the user is looking at, the prunes already made, and exports with their verification.
 * A host that does not offer the pruning methods yet answers `unknown-method`; `available` turns
 * false and the view explains that instead of showing a broken form.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError, errorMessage, type ExportView, type PruneView, type SweepView } from '../api';
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

  const sweep = computed(() => sweeps.value[0] ?? null);
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
      // Start the slider at the largest step that loses at most one point of accuracy: the knee.
      const base = points.value[0]?.accuracy ?? 0;
      let knee = 0;
      points.value.forEach((pt, i) => {
        if (pt.accuracy >= base - 0.01) knee = i;
      });
      pointIndex.value = knee;
    } catch (e) {
      if (!unavailable(e)) error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
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
      pointIndex.value = 0;
      return s;
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
    runId, available, sweeps, sweep, points, mode, point, pointIndex, prunes, exports, lastExport, loading, error, busy, actionError,
    load, runSweep, pruneAndFinetune, exportModel,
  };
});
