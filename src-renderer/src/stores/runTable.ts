/**
 * How the runs table is shown: search, filters, sort, seed grouping and the hyperparameter columns.
 * Kept across navigation; the chosen columns also across reloads (local storage).
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { DEFAULT_HYPER_COLUMNS, HYPER_COLUMNS, NO_FILTERS, type Filters, type HyperColumn, type Sort, type SortKey } from '../tables/runTable';

const COLUMNS_KEY = 'ffr.runTable.columns';

function readColumns(): HyperColumn[] {
  try {
    const raw = JSON.parse(globalThis.localStorage?.getItem(COLUMNS_KEY) ?? 'null') as unknown;
    if (Array.isArray(raw)) return raw.filter((c): c is HyperColumn => typeof c === 'string' && c in HYPER_COLUMNS);
  } catch {
    /* unreadable: the defaults */
  }
  return [...DEFAULT_HYPER_COLUMNS];
}

export const useRunTableStore = defineStore('runTable', () => {
  const filters = ref<Filters>({ ...NO_FILTERS });
  const sort = ref<Sort>({ key: 'created', dir: 'desc' });
  const groupSeeds = ref(false);
  const columns = ref<HyperColumn[]>(readColumns());
  watch(columns, (c) => {
    try {
      globalThis.localStorage?.setItem(COLUMNS_KEY, JSON.stringify(c));
    } catch {
      /* storage disabled */
    }
  });

  /** Clicking a header: sort by it (numbers best-first), clicking again flips the direction. */
  function sortBy(key: SortKey): void {
    if (sort.value.key === key) sort.value = { key, dir: sort.value.dir === 'asc' ? 'desc' : 'asc' };
    else sort.value = { key, dir: key === 'name' || key === 'model' || key === 'regularizer' || key === 'status' ? 'asc' : 'desc' };
  }

  function toggleColumn(c: HyperColumn): void {
    columns.value = columns.value.includes(c) ? columns.value.filter((x) => x !== c) : (Object.keys(HYPER_COLUMNS) as HyperColumn[]).filter((x) => x === c || columns.value.includes(x));
  }

  function reset(): void {
    filters.value = { ...NO_FILTERS };
  }

  return { filters, sort, groupSeeds, columns, sortBy, toggleColumn, reset };
});
