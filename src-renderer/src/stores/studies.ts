/**
 * Studies: the list, the study on screen (refreshed as `study-progress` events arrive), and the
 * actions: create (the grid launcher), resume, cancel, and the CSV / Markdown export.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, errorMessage } from '../api';
import type { StudyReport } from '../../../src-main/shared/study';

export interface StudyLaunch {
  projectId: string | null;
  name?: string;
  base: Record<string, unknown>;
  grid: string;
  seeds: number[];
  prune: string;
  finetuneEpochs: number;
  /** Where its runs train (the launcher's "Where it runs"); Slurm settings only when filled in. */
  executor?: 'local' | 'slurm';
  slurm?: Record<string, string | number>;
}

export const useStudiesStore = defineStore('studies', () => {
  const items = ref<StudyReport[]>([]);
  const current = ref<StudyReport | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const busy = ref(false);
  const actionError = ref<string | null>(null);
  /** The run a cell of the current study is training now (from its progress events). */
  const activeRunId = ref<string | null>(null);
  let unsubscribe: (() => void) | null = null;
  let refreshing: Promise<void> | null = null;

  function listen(): void {
    unsubscribe ??= api.on('study-progress', (e) => {
      activeRunId.value = e.point?.state === 'training' || e.point?.state === 'finetuning' ? e.point.runId : null;
      const known = items.value.find((s) => s.studyId === e.studyId);
      if (known) Object.assign(known, { status: e.status, progress: { done: e.done, failed: e.failed, total: e.total } });
      if (current.value?.studyId === e.studyId) void refresh();
    });
  }

  /** Re-reads the current study; calls that arrive while one is under way share it. */
  function refresh(): Promise<void> {
    const id = current.value?.studyId;
    if (!id) return Promise.resolve();
    refreshing ??= api
      .call('studies.get', { studyId: id })
      .then((r) => {
        if (current.value?.studyId === r.studyId) current.value = r;
      })
      .catch(() => {})
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  async function loadList(projectId?: string | null): Promise<void> {
    loading.value = true;
    error.value = null;
    listen();
    try {
      items.value = await api.call('studies.list', projectId === undefined ? {} : { projectId });
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  async function load(studyId: string): Promise<void> {
    loading.value = true;
    error.value = null;
    listen();
    try {
      current.value = await api.call('studies.get', { studyId });
    } catch (e) {
      error.value = errorMessage(e);
      current.value = null;
    } finally {
      loading.value = false;
    }
  }

  async function act<T>(fn: () => Promise<T>): Promise<T | null> {
    busy.value = true;
    actionError.value = null;
    try {
      return await fn();
    } catch (e) {
      actionError.value = errorMessage(e);
      return null;
    } finally {
      busy.value = false;
    }
  }

  /** Creates and starts a study; returns its id (null when refused: actionError says why). */
  const create = (launch: StudyLaunch) =>
    act(async () => {
      const r = await api.call('studies.create', {
        // No project selected: the host's default project, as for runs.
        ...(launch.projectId ? { projectId: launch.projectId } : {}),
        ...(launch.name ? { name: launch.name } : {}),
        base: launch.base,
        grid: launch.grid,
        seeds: launch.seeds,
        prune: launch.prune,
        finetuneEpochs: launch.finetuneEpochs,
        ...(launch.executor ? { executor: launch.executor } : {}),
        ...(launch.slurm ? { slurm: launch.slurm } : {}),
      });
      items.value = [r, ...items.value.filter((s) => s.studyId !== r.studyId)];
      current.value = r;
      return r.studyId;
    });

  const resume = (studyId: string) => act(async () => (current.value = await api.call('studies.resume', { studyId })));
  const cancel = (studyId: string) => act(async () => api.call('studies.cancel', { studyId }));
  const exportText = (studyId: string, format: 'csv' | 'md') => act(async () => (await api.call('studies.export', { studyId, format })).content);

  return { items, current, loading, error, busy, actionError, activeRunId, loadList, load, refresh, create, resume, cancel, exportText };
});
