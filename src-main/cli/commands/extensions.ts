/** Commands added by later modules (prune, export, demo, serve) register here. */
import type { Command } from 'commander';
import type { App } from '../../services/app';

export function registerExtensions(_program: Command, _withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {}
