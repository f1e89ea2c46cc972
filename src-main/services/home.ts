/**
 * The data directory: the SQLite file and every artifact (checkpoints, pruned models, exports).
 * FFR_HOME wins; otherwise the host's default (Electron: its user-data folder; Node: ~/.ffr-workbench).
 */
import os from 'node:os';
import path from 'node:path';

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
