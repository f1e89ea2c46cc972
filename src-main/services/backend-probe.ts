/**
 * The backend probe, host side, for app.info and `ffr info`: the `backends` tool job
 * (trainer/jobs/backends.ts) asks a trainer process which compute backends it can use, so the
 * answer is the trainer's own (Electron's utility process, its environment) and a GPU driver that
 * crashes or hangs takes only that process down. The trainer's stderr is read too: TensorFlow logs
 * the CUDA/cuDNN libraries it could not open there (and then runs on the CPU), so those names reach
 * the tensorflow status even when tfjs-node-gpu itself loaded.
 */
import type { BackendStatus } from '../shared/contract';
import { cudaLibraryFailures } from '../shared/cuda-libraries';
import type { ToolOutput } from '../trainer/protocol';
import type { ToolRunner } from './tools';

/** A driver that hangs must not hang `ffr info` or the settings view. */
export const PROBE_TIMEOUT_MS = 120_000;

export async function probeBackends(tools: ToolRunner, timeoutMs = PROBE_TIMEOUT_MS): Promise<ToolOutput<'backends'>> {
  const { result, stderr } = await tools.runToExit({ kind: 'backends', payload: {} }, { timeout: { ms: timeoutMs, why: 'a GPU driver may be hanging' } });
  return { ...result, backends: withLibraryFailures(result.backends, stderr) };
}

/** Adds the libraries TensorFlow's loader complained about (stderr) to the tensorflow status. */
export function withLibraryFailures(backends: BackendStatus[], stderr: string): BackendStatus[] {
  const logged = cudaLibraryFailures(stderr);
  if (logged.length === 0) return backends;
  return backends.map((b) => {
    if (b.name !== 'tensorflow') return b;
    const missingLibraries = [...new Set([...(b.missingLibraries ?? []), ...logged])];
    const note = b.available ? `; CUDA is not usable, TensorFlow runs on the CPU: ${logged.join(', ')} could not be loaded` : '';
    return { ...b, missingLibraries, ...(b.detail !== undefined ? { detail: b.detail + note } : {}) };
  });
}
