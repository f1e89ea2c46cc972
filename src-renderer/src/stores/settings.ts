/**
 * App-wide state that is not domain data: which host we talk to, whether the event channel is up
 * (or refused), and the diagnostics the Settings view shows.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, errorMessage, type AppInfo, type ConnectionState } from '../api';

export const useSettingsStore = defineStore('settings', () => {
  const connection = ref<ConnectionState>('connecting');
  const info = ref<AppInfo | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let unsubscribe: (() => void) | null = null;

  function watchConnection(): void {
    unsubscribe ??= api.onConnection((s) => {
      connection.value = s;
    });
  }

  async function loadInfo(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      info.value = await api.call('app.info', {});
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  return { connection, info, loading, error, watchConnection, loadInfo };
});
