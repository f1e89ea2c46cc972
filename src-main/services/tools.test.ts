/**
 * The tool-job runner against a scripted trainer handle: what it accepts as an answer and what it
 * refuses. (Real trainers answer real jobs in api.test.ts and tests/host-without-tfjs.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ServiceError } from './errors';
import { scripted } from './testing/scripted-trainer';
import { ToolRunner } from './tools';

const backends = { backends: [{ name: 'cpu', available: true }], wasmThreads: 1 };

describe('tool jobs, host side', () => {
  it('resolves with the validated result and tells the trainer to exit after its final message', async () => {
    const t = scripted([{ type: 'result', result: { kind: 'backends', value: backends } }, { type: 'done', status: 'completed' }]);
    await expect(new ToolRunner(t.launcher).run({ kind: 'backends', payload: {} })).resolves.toEqual(backends);
    expect(t.sent.map((m) => m.type)).toEqual(['run', 'exit']);
  });

  it('refuses an answer to another kind of job', async () => {
    const t = scripted([{ type: 'result', result: { kind: 'sweep', value: { points: [], evaluatedOn: 0, reference: { split: 'val', accuracy: 1, images: 0 } } } }, { type: 'done', status: 'completed' }]);
    await expect(new ToolRunner(t.launcher).run({ kind: 'backends', payload: {} })).rejects.toThrow('The backends job answered as a sweep job.');
  });

  it('refuses a result that does not fit its schema, and stops the trainer', async () => {
    const t = scripted([{ type: 'result', result: { kind: 'backends', value: { backends: 'all of them' } } }]);
    await expect(new ToolRunner(t.launcher).run({ kind: 'backends', payload: {} })).rejects.toThrow(/The backends job sent a malformed message/);
    expect(t.killed()).toBe(true);
  });

  it('keeps the code of a failure on the job’s input, and reports a crash with its reason', async () => {
    const failed = scripted([{ type: 'failed', error: 'CIFAR-10 file x has label 12 at byte 0.', code: 'invalid-input' }]);
    const e = await new ToolRunner(failed.launcher).run({ kind: 'dataset', payload: { ref: { name: 'mnist' }, samples: null, valFraction: 0.1 } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ServiceError);
    expect(e).toMatchObject({ code: 'invalid-input', message: 'CIFAR-10 file x has label 12 at byte 0.' });
    const crashed = scripted([], { exitWithout: 3 });
    await expect(new ToolRunner(crashed.launcher).run({ kind: 'backends', payload: {} })).rejects.toMatchObject({
      code: 'internal',
      message: 'The trainer process exited with code 3 before finishing (Error: boom).',
    });
  });

  it('runToExit waits for the trainer to exit and hands back its stderr', async () => {
    const t = scripted([{ type: 'result', result: { kind: 'backends', value: backends } }, { type: 'done', status: 'completed' }], { stderr: 'a loader line' });
    await expect(new ToolRunner(t.launcher).runToExit({ kind: 'backends', payload: {} })).resolves.toEqual({ result: backends, stderr: 'a loader line' });
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
