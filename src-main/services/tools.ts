/**
 * Tool jobs, host side: prune, sweep, export, dataset reads and the backend probe each run in a
 * trainer process of their own, outside the training queue (they are short), so the host never
 * loads tfjs or a dataset's images. The answer is validated with the job kind's result schema
 * (trainer/protocol.ts), the same schema the trainer validated it with before sending.
 */
import { TrainerMessage, isFinalMessage, type ToolJobOf, type ToolKind, type ToolOutput } from '../trainer/protocol';
import type { ErrorCode } from '../shared/contract';
import { ServiceError } from './errors';
import { crashReason } from './jobs';
import type { TrainerHandle, TrainerLauncher } from './trainer-launcher';

export class ToolRunner {
  /** Tool jobs still running, each settled when its trainer has exited. */
  private readonly running = new Map<TrainerHandle, Promise<void>>();

  constructor(private readonly launcher: TrainerLauncher) {}

  /**
   * Host shutdown: stops the tool jobs still running (they are short and keep nothing: their
   * callers see them fail) and waits for their trainers to exit.
   */
  async shutdown(): Promise<void> {
    const exits = [...this.running.values()];
    for (const handle of this.running.keys()) handle.kill();
    await Promise.all(exits);
  }

  /** Runs one tool job to its end; rejects with the trainer's sentence when it fails or crashes. */
  run<K extends ToolKind>(job: ToolJobOf<K>, onLog?: (message: string) => void): Promise<ToolOutput<K>> {
    return new Promise((resolve, reject) => {
      const handle = this.launcher();
      this.running.set(handle, new Promise((exited) => handle.onExit(() => exited())));
      handle.onExit(() => this.running.delete(handle));
      let result: ToolOutput<K> | undefined;
      let settled = false;
      const settle = (error: string | null, code: ErrorCode = 'internal'): void => {
        if (settled) return;
        settled = true;
        if (error) reject(new ServiceError(code, error));
        else if (result === undefined) reject(new Error(`The ${job.kind} job ended without a result.`));
        else resolve(result);
      };
      handle.onMessage((raw) => {
        const parsed = TrainerMessage.safeParse(raw);
        if (!parsed.success) {
          settle(`The ${job.kind} job sent a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
          handle.kill();
          return;
        }
        const m = parsed.data;
        if (m.type === 'result') {
          if (m.result.kind !== job.kind) settle(`The ${job.kind} job answered as a ${m.result.kind} job.`);
          else result = m.result.value as ToolOutput<K>;
        } else if (m.type === 'log') onLog?.(m.message);
        else if (m.type === 'progress') onLog?.(`epoch ${m.epoch} step ${m.step}/${m.steps} loss ${m.loss.toFixed(4)}`);
        if (isFinalMessage(m)) {
          if (m.type === 'failed') settle(m.error, m.code);
          else settle(null);
          handle.send({ type: 'exit' });
        }
      });
      handle.onExit((code, signal, stderrTail) => settle(crashReason(code, signal, stderrTail)));
      handle.send({ type: 'run', job });
    });
  }
}
