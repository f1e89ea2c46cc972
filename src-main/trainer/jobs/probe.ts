/**
 * The `probe` job: which compute backends this trainer process can use, and why not the others.
 * Hosts ask a trainer rather than probing in their own process: the answer is then the trainer's
 * own (Electron's utility process, its environment), a GPU driver that crashes or hangs takes only
 * this process down, and the native loaders' messages (CUDA libraries, Dawn) land on the trainer's
 * stderr, which the host reads (services/backend-probe.ts).
 */
import { backendStatuses } from '../../engine/backend/select';
import type { ToolJob } from '../protocol';
import type { JobContext } from './context';

export async function runProbeJob(_job: ToolJob, ctx: JobContext): Promise<void> {
  const backends = await backendStatuses();
  ctx.post({ type: 'result', result: { backends } });
  ctx.post({ type: 'done', status: 'completed' });
}
