/**
 * Datasets: the bundled ones and the project's imports, with sample images and class counts of
 * the one being looked at (fetched on demand; they are the heaviest payload in the UI).
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { DATASET_GRID_SAMPLES } from '../../../src-main/shared/contract';
import { api, errorMessage, type DatasetDescription, type DatasetEntry, type DatasetSamples } from '../api';

export const useDatasetsStore = defineStore('datasets', () => {
  const items = ref<DatasetEntry[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const selectedId = ref<string | null>(null);
  const samples = ref<DatasetSamples | null>(null);
  const description = ref<DatasetDescription | null>(null);
  const detailLoading = ref(false);
  const detailError = ref<string | null>(null);

  const selected = computed(() => items.value.find((d) => d.id === selectedId.value) ?? null);

  async function load(projectId: string | null): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      items.value = await api.call('datasets.list', projectId ? { projectId } : {});
      if (!selectedId.value || !items.value.some((d) => d.id === selectedId.value)) {
        const first = items.value[0];
        if (first) void select(first.id);
      }
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  async function select(id: string): Promise<void> {
    selectedId.value = id;
    samples.value = null;
    description.value = null;
    detailError.value = null;
    detailLoading.value = true;
    try {
      // One call, so the host reads the dataset once for both.
      const got = await api.call('datasets.inspect', { datasetId: id, ...DATASET_GRID_SAMPLES });
      if (selectedId.value === id) {
        samples.value = got.samples;
        description.value = got.description;
      }
    } catch (e) {
      if (selectedId.value === id) detailError.value = errorMessage(e);
    } finally {
      if (selectedId.value === id) detailLoading.value = false;
    }
  }

  /** Throws the host's sentence (e.g. "folder has no class subfolders") for the form to show. */
  async function importFolder(input: { projectId: string | null; kind: 'cifar10' | 'cifar100' | 'folder'; dataDir: string; name?: string }): Promise<void> {
    const ds = await api.call('datasets.register', input.name ? input : { projectId: input.projectId, kind: input.kind, dataDir: input.dataDir });
    await load(input.projectId);
    await select(ds.id);
  }

  return { items, loading, error, selectedId, selected, samples, description, detailLoading, detailError, load, select, importFolder };
});
