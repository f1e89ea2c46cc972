/**
 * Projects: the list, the one the user is working in (remembered across reloads), and the
 * create / rename / delete actions, each re-reading the list so counts stay true.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, errorMessage } from '../api';
import type { ProjectSummary } from '../../../src-main/shared/store-types';

const CURRENT_KEY = 'ffr.currentProject';

function readCurrent(): string | null {
  try {
    return globalThis.localStorage?.getItem(CURRENT_KEY) ?? null;
  } catch {
    return null;
  }
}

export const useProjectsStore = defineStore('projects', () => {
  const items = ref<ProjectSummary[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const currentId = ref<string | null>(readCurrent());

  const current = computed(() => items.value.find((p) => p.id === currentId.value) ?? null);

  function select(id: string | null): void {
    currentId.value = id;
    try {
      if (id) globalThis.localStorage?.setItem(CURRENT_KEY, id);
      else globalThis.localStorage?.removeItem(CURRENT_KEY);
    } catch {
      /* storage disabled: the choice lasts for this page only */
    }
  }

  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      items.value = await api.call('projects.list', {});
      loaded.value = true;
      if (currentId.value && !items.value.some((p) => p.id === currentId.value)) select(null);
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  /** Throws the host's message (e.g. duplicate name) so the dialog can show it by the field. */
  async function create(name: string): Promise<string> {
    const project = await api.call('projects.create', { name });
    await load();
    select(project.id);
    return project.id;
  }

  async function rename(projectId: string, name: string): Promise<void> {
    await api.call('projects.rename', { projectId, name });
    await load();
  }

  async function remove(projectId: string): Promise<void> {
    await api.call('projects.delete', { projectId });
    if (currentId.value === projectId) select(null);
    await load();
  }

  return { items, loaded, loading, error, currentId, current, select, load, create, rename, remove };
});
