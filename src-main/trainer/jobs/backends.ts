/** The `backends` job: which compute backends load in a trainer, and why the others do not. */
import { backendStatuses, wasmThreadsWanted } from '../../engine/backend/select';
import type { ToolOutput } from '../protocol';

export async function runBackendsJob(): Promise<ToolOutput<'backends'>> {
  return { backends: await backendStatuses(), wasmThreads: wasmThreadsWanted() };
}
