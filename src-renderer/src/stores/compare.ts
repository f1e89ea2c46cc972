/**
 * Compare: the chosen runs (kept in the URL by the view, mirrored here), the host's side-by-side
 * summary and config diff, each run's metric curves for the overlays, and the points of the
 * accuracy-vs-MACs plot (runs plus their pruned fine-tuned children).
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, errorMessage, type CompareResult, type RunDetails } from '../api';
import type { ScatterPoint } from '../charts/options';
import { useProjectsStore } from './projects';

export const useCompareStore = defineStore('compare', () => {
  const selected = ref<string[]>([]);
  const result = ref<CompareResult | null>(null);
  const details = ref<Record<string, RunDetails>>({});
  const loading = ref(false);
  const error = ref<string | null>(null);
  const onlyDifferences = ref(true);

  function toggle(id: string): void {
    selected.value = selected.value.includes(id) ? selected.value.filter((x) => x !== id) : [...selected.value, id];
  }

  async function load(ids: string[] = selected.value): Promise<void> {
    selected.value = [...ids];
    error.value = null;
    if (ids.length < 2) {
      result.value = null;
      return;
    }
    loading.value = true;
    try {
      const [cmp, ...ds] = await Promise.all([api.call('runs.compare', { runIds: ids }), ...ids.map((runId) => api.call('runs.get', { runId }))]);
      // Children (fine-tunes of pruned models) are drawn on the accuracy-vs-MACs plot too.
      const childIds = ds.flatMap((d) => d.children.map((c) => c.id)).filter((id) => !ids.includes(id));
      const children = await Promise.all(childIds.map((runId) => api.call('runs.get', { runId }).catch(() => null)));
      const map: Record<string, RunDetails> = {};
      for (const d of [...ds, ...children]) if (d) map[d.run.id] = d;
      result.value = cmp;
      details.value = map;
      // A comparison opened by its URL, of runs of one project, makes that project the current one
      // (as a run page does), so the sidebar and the run picker show the project the runs are in.
      const projectIds = new Set(ds.map((d) => d.run.projectId));
      const only = projectIds.size === 1 ? [...projectIds][0] : null;
      const projects = useProjectsStore();
      if (only && projects.currentId !== only) projects.select(only);
    } catch (e) {
      error.value = errorMessage(e);
      result.value = null;
    } finally {
      loading.value = false;
    }
  }

  /** Config keys × runs, all or only the keys whose values differ. */
  const configRows = computed(() => {
    const r = result.value;
    if (!r) return [] as Array<{ key: string; values: unknown[]; differs: boolean }>;
    const keys = [...new Set(r.configs.flatMap((c) => Object.keys(c)))].sort();
    const rows = keys.map((key) => ({ key, values: r.configs.map((c) => c[key]), differs: key in r.configDiff }));
    return onlyDifferences.value ? rows.filter((x) => x.differs) : rows;
  });

  /** Layers present in any compared run, in the first run's order, then the rest. */
  const layerNames = computed(() => {
    const names: string[] = [];
    for (const s of result.value?.runs ?? []) for (const l of s.layers) if (!names.includes(l.name)) names.push(l.name);
    return names;
  });

  const scatter = computed<ScatterPoint[]>(() => {
    const pts: ScatterPoint[] = [];
    for (const d of Object.values(details.value)) {
      const last = [...d.metrics].sort((a, b) => a.epoch - b.epoch).at(-1);
      const macs = d.run.modelInfo?.macs;
      if (!last || !macs) continue;
      pts.push({ id: d.run.id, name: d.run.name, x: macs, y: last.testAccuracy, kind: d.run.parentRunId ? 'pruned' : 'run' });
    }
    return pts;
  });

  return { selected, result, details, loading, error, onlyDifferences, toggle, load, configRows, layerNames, scatter };
});
