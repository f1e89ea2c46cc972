/**
 * The tool-job runner against a scripted trainer handle: what it accepts as an answer and what it
 * refuses. (Real trainers answer real jobs in api.test.ts and tests/host-without-tfjs.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { HostMessage } from '../trainer/protocol';
import { ServiceError } from './errors';
import { ToolRunner } from './tools';
import type { TrainerHandle, TrainerLauncher } from './trainer-launcher';

/** A trainer that answers the `run` message with `replies`, then exits (with `exitCode`) on `exit`. */
function scripted(replies: unknown[], o: { exitWithout?: number } = {}): { launcher: TrainerLauncher; sent: HostMessage[]; killed: () => boolean } {
  const sent: HostMessage[] = [];
  let killed = false;
  const launcher: TrainerLauncher = () => {
    let onMessage: (m: unknown) => void = () => {};
    const exitListeners: Array<(code: number | null, signal: string | null, stderr: string) => void> = [];
    const onExit = (code: number | null, signal: string | null, stderr: string): void => exitListeners.forEach((l) => l(code, signal, stderr));
    const handle: TrainerHandle = {
      pid: 1,
      send: (m) => {
        sent.push(m);
        if (m.type === 'run') {
          queueMicrotask(() => {
            for (const r of replies) onMessage(r);
            if (o.exitWithout !== undefined) onExit(o.exitWithout, null, 'Error: boom');
          });
        }
        if (m.type === 'exit') queueMicrotask(() => onExit(0, null, ''));
      },
      onMessage: (l) => void (onMessage = l),
      onExit: (l) => void exitListeners.push(l),
      kill: () => {
        killed = true;
        onExit(null, 'SIGKILL', '');
      },
    };
    return handle;
  };
  return { launcher, sent, killed: () => killed };
}

const backends = { backends: [{ name: 'cpu', available: true }], wasmThreads: 1 };

describe('tool jobs, host side', () => {
  it('resolves with the validated result and tells the trainer to exit after its final message', async () => {
    const t = scripted([{ type: 'result', result: { kind: 'backends', value: backends } }, { type: 'done', status: 'completed' }]);
    await expect(new ToolRunner(t.launcher).run({ kind: 'backends', payload: {} })).resolves.toEqual(backends);
    expect(t.sent.map((m) => m.type)).toEqual(['run', 'exit']);
  });

  it('refuses an answer to another kind of job', async () => {
    const t = scripted([{ type: 'result', result: { kind: 'sweep', value: { points: [], evaluatedOn: 0 } } }, { type: 'done', status: 'completed' }]);
    await expect(new ToolRunner(t.launcher).run({ kind: 'backends', payload: {} })).rejects.toThrow('The backends job answered as a sweep job.');
  });

  it('refuses a result that does not fit its schema, and stops the trainer', async () => {
    const t = scripted([{ type: 'result', result: { kind: 'backends', value: { backends: 'all of them' } } }]);
    await expect(new ToolRunner(t.launcher).run({ kind: 'backends', payload: {} })).rejects.toThrow(/The backends job sent a malformed message/);
    expect(t.killed()).toBe(true);
  });

  it('keeps the code of a failure on the job’s input, and reports a crash with its reason', async () => {
    const failed = scripted([{ type: 'failed', error: 'CIFAR-10 file x has label 12 at byte 0.', code: 'invalid-input' }]);
    const e = await new ToolRunner(failed.launcher).run({ kind: 'dataset', payload: { ref: { name: 'mnist' }, samples: null } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ServiceError);
    expect(e).toMatchObject({ code: 'invalid-input', message: 'CIFAR-10 file x has label 12 at byte 0.' });
    const crashed = scripted([], { exitWithout: 3 });
    await expect(new ToolRunner(crashed.launcher).run({ kind: 'backends', payload: {} })).rejects.toMatchObject({
      code: 'internal',
      message: 'The trainer process exited with code 3 before finishing (Error: boom).',
    });
  });

  it('host shutdown stops a tool job that is still running and waits for its trainer', async () => {
    const t = scripted([]); // never answers
    const runner = new ToolRunner(t.launcher);
    const job = runner.run({ kind: 'backends', payload: {} });
    await runner.shutdown();
    expect(t.killed()).toBe(true);
    await expect(job).rejects.toThrow(/killed by signal SIGKILL/);
  });
});
