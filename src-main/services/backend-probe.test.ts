/**
 * The backend probe, host side, against a scripted trainer: the `backends` answer with the CUDA
 * libraries the trainer's stderr names, and a probe that hangs stopped. (A real trainer answers it
 * in api.test.ts, tests/host-without-tfjs.test.ts and cli/webgpu.cli.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { BackendStatus } from '../shared/contract';
import { probeBackends, withLibraryFailures } from './backend-probe';
import { scripted } from './testing/scripted-trainer';
import { ToolRunner } from './tools';

const CUDNN_LOG = "W dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file";

describe('backend probe', () => {
  it("adds the libraries TensorFlow logged to the tensorflow status (CPU fallback said in its detail)", () => {
    const statuses = withLibraryFailures(
      [
        { name: 'tensorflow', available: true, detail: '@tensorflow/tfjs-node-gpu' },
        { name: 'wasm', available: true },
      ],
      CUDNN_LOG,
    );
    expect(statuses[0]).toEqual({
      name: 'tensorflow',
      available: true,
      detail: '@tensorflow/tfjs-node-gpu; CUDA is not usable, TensorFlow runs on the CPU: libcudnn.so.8 could not be loaded',
      missingLibraries: ['libcudnn.so.8'],
    });
    expect(statuses[1]).toEqual({ name: 'wasm', available: true });
  });

  it('reads the trainer’s stderr once it has exited, after the `backends` answer', async () => {
    const backends: BackendStatus[] = [
      { name: 'tensorflow', available: true, detail: '@tensorflow/tfjs-node-gpu' },
      { name: 'cpu', available: true },
    ];
    const t = scripted([{ type: 'result', result: { kind: 'backends', value: { backends, wasmThreads: 2 } } }, { type: 'done', status: 'completed' }], { stderr: CUDNN_LOG });
    const answer = await probeBackends(new ToolRunner(t.launcher));
    expect(answer.wasmThreads).toBe(2);
    expect(answer.backends[0]).toMatchObject({ name: 'tensorflow', missingLibraries: ['libcudnn.so.8'] });
    expect(t.sent.map((m) => m.type)).toEqual(['run', 'exit']);
  });

  it('stops a probe that does not answer (a hanging GPU driver) with a sentence', async () => {
    const t = scripted([]); // never answers
    await expect(probeBackends(new ToolRunner(t.launcher), 50)).rejects.toThrow(
      'The backends job did not answer within 0.05 s (a GPU driver may be hanging); its trainer process was stopped.',
    );
    expect(t.killed()).toBe(true);
  });
});
