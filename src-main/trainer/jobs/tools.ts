/**
 * Handlers of the non-training jobs (prune, sweep, export, evaluate, probe), by kind. Each validates its
 * own payload and reports through `result`, then `done`.
 */
import type { ToolJob } from '../protocol';
import type { JobContext } from './context';
import { runExportJob } from './export';
import { runProbeJob } from './probe';
import { runPruneJob } from './prune';
import { runSweepJob } from './sweep';

export type ToolJobHandler = (job: ToolJob, ctx: JobContext) => Promise<void>;

export const toolJobHandlers: Partial<Record<ToolJob['kind'], ToolJobHandler>> = {
  prune: runPruneJob,
  sweep: runSweepJob,
  export: runExportJob,
  probe: runProbeJob,
};
