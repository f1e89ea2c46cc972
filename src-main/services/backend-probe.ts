/**
 * Asks a trainer process which backends it can use (the `probe` job, trainer/jobs/probe.ts), for
 * `ffr info` and app.info. The trainer's stderr is read too: TensorFlow logs the CUDA/cuDNN
 * libraries it could not open there (and then runs on the CPU), so those names reach the
 * tensorflow status even when tfjs-node-gpu itself loaded.
 */
import { z } from 'zod';
import { cudaLibraryFailures } from '../engine/backend/cuda-libraries';
import { BackendStatus } from '../shared/contract';
import { TrainerMessage } from '../trainer/protocol';
import type { TrainerLauncher } from './trainer-launcher';

const ProbeResult = z.object({ backends: z.array(BackendStatus) });

/** A driver that hangs must not hang `ffr info` or the settings view. */
const PROBE_TIMEOUT_MS = 120_000;

export function probeBackendsInTrainer(launcher: TrainerLauncher, timeoutMs = PROBE_TIMEOUT_MS): Promise<BackendStatus[]> {
  return new Promise((resolve, reject) => {
    const handle = launcher();
    let backends: BackendStatus[] | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `The backend probe did not answer within ${timeoutMs / 1000} s (a GPU driver may be hanging); it was stopped.`;
      handle.kill();
    }, timeoutMs);
    handle.onMessage((raw) => {
      const m = TrainerMessage.safeParse(raw);
      if (!m.success) return;
      if (m.data.type === 'result') {
        const parsed = ProbeResult.safeParse(m.data.result);
        if (parsed.success) backends = parsed.data.backends;
        else failure = `The backend probe answered in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}.`;
      } else if (m.data.type === 'failed') failure = `The backend probe failed: ${m.data.error}`;
    });
    handle.onExit((code, signal, stderrTail) => {
      clearTimeout(timer);
      if (!backends) {
        reject(new Error(failure ?? `The backend probe's trainer process exited (${signal ?? `code ${code}`}) without an answer.`));
        return;
      }
      resolve(withLibraryFailures(backends, stderrTail));
    });
    handle.send({ type: 'run', job: { kind: 'probe', backend: 'cpu', payload: {} } });
  });
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
