/**
 * The Node-specific guards of the webgpu backend (backend.ts): a synchronous read fails with a
 * sentence instead of tfjs's OffscreenCanvas ReferenceError, and an error the device reports
 * asynchronously (here: a shader that does not compile) fails the next read instead of letting
 * training go on with zeros. Its own file: the device error is sticky for the process.
 */
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { initWebgpu, webgpuSkipReason } from './test_util';
import { webgpuDeviceError } from './index';

const skip = await webgpuSkipReason();

describe.skipIf(skip !== null)(`webgpu backend guards${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(initWebgpu);

  it('reads computed tensors asynchronously, and refuses dataSync with a sentence', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.add(a, a);
    expect(Array.from(await b.data())).toEqual([2, 4, 6]);
    // A matrix product runs on the GPU (small elementwise ops on values already read may be
    // computed on the CPU by tfjs, and those read synchronously fine).
    const c = tf.matMul(tf.ones([8, 8]), tf.ones([8, 8]));
    expect(() => c.dataSync()).toThrow(/cannot read GPU tensors synchronously in Node .* read with `await tensor.data\(\)`/);
    expect((await c.data())[0]).toBe(8);
    tf.dispose([a, b, c]);
  });

  it('turns an error the device reports later into a failed read', async () => {
    expect(webgpuDeviceError()).toBeUndefined();
    const broken: WebGPUProgram = {
      variableNames: ['x'],
      outputShape: [4],
      shaderKey: 'ffrTestBroken',
      dispatchLayout: { x: [0] },
      dispatch: [1, 1, 1],
      workgroupSize: [64, 1, 1],
      getUserCode: () => 'fn main(index : i32) { this is not WGSL }',
    };
    const x = tf.tensor1d([1, 2, 3, 4]);
    const backend = tf.backend() as unknown as WebGPUBackend;
    const info = backend.runWebGPUProgram(broken, [x], 'float32');
    const y = tf.engine().makeTensorFromTensorInfo(info);
    await expect(y.data()).rejects.toThrow(/^The GPU reported an error \(GPUValidationError: /);
    expect(webgpuDeviceError()).toMatch(/GPUValidationError/);
    tf.dispose([x, y]);
  });
});
