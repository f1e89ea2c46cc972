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

export interface ToolRunOptions {
  /** Stop the trainer and fail the job after `ms`; `why` says what may be hanging. */
  timeout?: { ms: number; why: string };
  /** The job's `tool-progress` messages (a sweep's points done of total). */
  onProgress?: (done: number, total: number) => void;
}

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
  run<K extends ToolKind>(job: ToolJobOf<K>, onLog?: (message: string) => void, onProgress?: (done: number, total: number) => void): Promise<ToolOutput<K>> {
    return this.start(job, onLog, onProgress ? { onProgress } : {}).result;
  }

  /**
   * Runs one tool job and waits for its trainer to exit too: the result with the tail of the
   * trainer's stderr, for what native libraries log there rather than throw (the backend probe).
   */
  async runToExit<K extends ToolKind>(job: ToolJobOf<K>, options: ToolRunOptions = {}): Promise<{ result: ToolOutput<K>; stderr: string }> {
    const { result, exited } = this.start(job, undefined, options);
    const [value, stderr] = await Promise.all([result, exited]);
    return { result: value, stderr };
  }

  private start<K extends ToolKind>(
    job: ToolJobOf<K>,
    onLog: ((message: string) => void) | undefined,
    options: ToolRunOptions,
  ): { result: Promise<ToolOutput<K>>; exited: Promise<string> } {
    const handle = this.launcher();
    const exited = new Promise<string>((resolve) => handle.onExit((_code, _signal, stderrTail) => resolve(stderrTail)));
    this.running.set(handle, exited.then(() => {}));
    handle.onExit(() => this.running.delete(handle));
    const result = new Promise<ToolOutput<K>>((resolve, reject) => {
      let value: ToolOutput<K> | undefined;
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (error: string | null, code: ErrorCode = 'internal'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(new ServiceError(code, error));
        else if (value === undefined) reject(new Error(`The ${job.kind} job ended without a result.`));
        else resolve(value);
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
          else value = m.result.value as ToolOutput<K>;
        } else if (m.type === 'log') onLog?.(m.message);
        else if (m.type === 'tool-progress') options.onProgress?.(m.done, m.total);
        else if (m.type === 'progress') onLog?.(`epoch ${m.epoch} step ${m.step}/${m.steps} loss ${m.loss.toFixed(4)}`);
        if (isFinalMessage(m)) {
          if (m.type === 'failed') settle(m.error, m.code);
          else settle(null);
          handle.send({ type: 'exit' });
        }
      });
      handle.onExit((code, signal, stderrTail) => settle(crashReason(code, signal, stderrTail)));
      const { timeout } = options;
      if (timeout) {
        timer = setTimeout(() => {
          settle(`The ${job.kind} job did not answer within ${timeout.ms / 1000} s (${timeout.why}); its trainer process was stopped.`);
          handle.kill();
        }, timeout.ms);
      }
      handle.send({ type: 'run', job });
    });
    return { result, exited };
  }
}
