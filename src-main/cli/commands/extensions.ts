/** Commands added by later modules (prune, export, demo, serve) register here. */
import type { Command } from 'commander';
import type { App } from '../../services/app';
import { registerDemo } from './demo';
import { registerExport } from './export';
import { registerPrune } from './prune';

export function registerExtensions(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  registerPrune(program, withApp);
  registerExport(program, withApp);
  registerDemo(program, withApp);
}
