/**
 * The data directory: the SQLite file and every artifact (checkpoints, pruned models, exports).
 * FFR_HOME wins; otherwise the host's default (Electron: its user-data folder; Node: ~/.ffr-workbench).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreError } from '../store';

export interface HomePaths {
  home: string;
  database: string;
  runsDir: string;
  prunesDir: string;
  exportsDir: string;
}

export function resolveHome(fallback = path.join(os.homedir(), '.ffr-workbench')): HomePaths {
  return homePaths(process.env.FFR_HOME && process.env.FFR_HOME.trim() !== '' ? process.env.FFR_HOME : fallback);
}

/** The layout of a data directory. */
export function homePaths(dir: string): HomePaths {
  const home = path.resolve(dir);
  return {
    home,
    database: path.join(home, 'ffr.sqlite'),
    runsDir: path.join(home, 'runs'),
    prunesDir: path.join(home, 'prunes'),
    exportsDir: path.join(home, 'exports'),
  };
}

export function runCheckpointDir(paths: HomePaths, runId: string): string {
  return path.join(paths.runsDir, runId, 'checkpoints');
}

/** Entries of a folder, or [] when it does not exist. */
function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Refuses a data directory whose database is missing or empty (0 bytes) while the folder holds the
 * files of earlier runs: opening it would create a fresh, empty database and every run would vanish
 * from the lists (a truncated or replaced ffr.sqlite, a half-restored backup). Nothing is created or
 * changed; the sentence says what to do.
 */
export function checkDataDirectory(paths: HomePaths): void {
  let size: number | null = null;
  try {
    size = fs.statSync(paths.database).size;
  } catch {
    size = null; // missing
  }
  if (size !== null && size > 0) return;
  const runs = entries(paths.runsDir).length;
  const prunes = entries(paths.prunesDir).length;
  if (runs === 0 && prunes === 0) return;
  const state = size === null ? 'is missing' : 'is empty (0 bytes)';
  const held = runs > 0 ? `the files of ${runs} run(s) in ${paths.runsDir}` : `${prunes} pruned model file(s) in ${paths.prunesDir}`;
  throw new StoreError(
    'corrupt',
    `The database ${paths.database} ${state}, but the data directory still holds ${held}; FFR Workbench will not replace it with an empty database: restore ffr.sqlite from a backup, or move the folder's contents away to start afresh.`,
  );
}
