/** A store on a fresh temp file with a controllable clock; `cleanup()` closes it and removes the folder. */
import { openStore } from '../database';
import type { Store } from '../store';
import { removeDir, tempDbFile } from './fixtures';

export interface TestStore {
  store: Store;
  file: string;
  /** Moves the store's clock forward. */
  advance(ms: number): void;
  cleanup(): void;
}

export function openTestStore(): TestStore {
  const { dir, file } = tempDbFile();
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  const store = openStore(file, { now: () => new Date(t).toISOString() });
  return {
    store,
    file,
    advance(ms) {
      t += ms;
    },
    cleanup() {
      store.close();
      removeDir(dir);
    },
  };
}
