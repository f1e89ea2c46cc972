/**
 * Handlers of the tool jobs, by kind. Each is imported when its job arrives, so a trainer that
 * only reads a dataset never loads tfjs. A handler gets its (already validated) payload and returns
 * its result; the process entry validates the result with the same schema the host will.
 */
import type { ToolKind, ToolOutput, ToolPayload } from '../protocol';
import type { JobContext } from './context';

export type ToolJobHandler<K extends ToolKind> = (payload: ToolPayload<K>, ctx: JobContext) => Promise<ToolOutput<K>>;

export const toolJobHandlers: { [K in ToolKind]: () => Promise<ToolJobHandler<K>> } = {
  prune: async () => (await import('./prune')).runPruneJob,
  sweep: async () => (await import('./sweep')).runSweepJob,
  export: async () => (await import('./export')).runExportJob,
  dataset: async () => (await import('./dataset')).runDatasetJob,
  backends: async () => (await import('./backends')).runBackendsJob,
};
