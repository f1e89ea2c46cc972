/**
 * WebGPU kernels against tfjs's cpu reference, on this machine's adapter:
 * - the workbench's fused batch norm (kernels.ts, WGSL) against tf.moments + tf.batchNorm
 *   differentiated by autodiff, both directions;
 * - tfjs-backend-webgpu's own training kernels the models need, on the grids the WASM kernels are
 *   tested on (convolution gradients, pooling gradients, the training reductions).
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { FFR_BATCH_NORM_TRAINING, FFR_BATCH_NORM_TRAINING_GRAD, trainingBatchNorm } from '../../models/batch_norm';
import { fused, inputs, OUTPUTS, reference, type CaseShape } from '../../models/batch_norm_cases';
import { tf } from '../../tf';
import { caseName, convCases, convTensors } from '../wasm/conv_cases';
import { poolCases, poolDy, poolInput, type PoolCase } from '../wasm/pool_cases';
import { reduceCases } from '../wasm/reduce_cases';
import { compareWithCpu, initWebgpu, relativeError, runOn, seeded, webgpuSkipReason } from './test_util';

const skip = await webgpuSkipReason();
const skipNote = skip ? ` (skipped: ${skip})` : '';

// Rows below, at and above one workgroup's 256 threads; one to many channels; a large mean.
const bnCases: CaseShape[] = [
  { shape: [7, 5, 5, 3] },
  { shape: [7, 4] },
  { shape: [2, 6, 6, 16] },
  { shape: [3, 4, 5, 1] },
  { shape: [1, 16, 16, 2] },
  { shape: [3, 17, 17, 7] },
  { shape: [2, 3, 3, 130] },
  { shape: [4, 3, 3, 5], offset: 30 },
  { shape: [5, 2, 2, 3], epsilon: 0.1 },
];

describe.skipIf(skip !== null)(`webgpu fused batch norm (WGSL)${skipNote}`, () => {
  beforeAll(initWebgpu);

  it('is registered for webgpu and runs one kernel each way', async () => {
    expect(tf.getKernel(FFR_BATCH_NORM_TRAINING, 'webgpu')).toBeDefined();
    expect(tf.getKernel(FFR_BATCH_NORM_TRAINING_GRAD, 'webgpu')).toBeDefined();
    const info = await tf.profile(() => {
      tf.dispose(fused(bnCases[0]!));
      return [];
    });
    expect(info.kernelNames).toContain(FFR_BATCH_NORM_TRAINING);
    expect(info.kernelNames).toContain(FFR_BATCH_NORM_TRAINING_GRAD);
    expect(info.kernelNames).not.toContain('Mean');
  });

  for (const c of bnCases) {
    const name = `[${c.shape.join(',')}]${c.offset ? ` mean ${c.offset}` : ''}${c.epsilon ? ` epsilon ${c.epsilon}` : ''}`;
    it(`${name}: y, statistics and gradients match tf.moments + tf.batchNorm on cpu`, async () => {
      const expected = await runOn('cpu', () => reference(c));
      const actual = await runOn('webgpu', () => fused(c));
      const errors = actual.map((a, i) => `${OUTPUTS[i]} ${relativeError(a.values, expected[i]!.values).toExponential(1)}`);
      for (const [i, a] of actual.entries()) {
        expect(a.shape).toEqual(expected[i]!.shape);
        expect(relativeError(a.values, expected[i]!.values), errors.join(', ')).toBeLessThanOrEqual(1e-4);
      }
    });
  }

  it('leaks no tensors or GPU buffers (forward + gradients)', async () => {
    const { x, gamma, beta, r } = inputs(bnCases[2]!);
    const run = (): void => {
      const out = tf.grads((xv: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(trainingBatchNorm(xv as Tensor4D, g, b, 1e-3).y, r)))([x, gamma, beta]);
      tf.dispose(out);
    };
    run();
    const tensors = tf.memory().numTensors;
    const buffers = tf.memory().numDataBuffers;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    tf.dispose([x, gamma, beta, r]);
  });
});

describe.skipIf(skip !== null)(`tfjs-backend-webgpu training kernels on the WASM kernels' grids${skipNote}`, () => {
  beforeAll(initWebgpu);

  for (const c of convCases) {
    it(`Conv2DBackpropFilter and Conv2DBackpropInput: ${caseName(c)}`, async () => {
      await compareWithCpu(() => {
        const { x, dy, filterShape } = convTensors(c);
        return [
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape }) as Tensor,
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: convTensors(c).filter }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as Tensor,
        ];
      });
    });
  }

  const maxPoolGrad = (c: PoolCase, x: Tensor4D): Tensor => {
    const y = tf.maxPool(x, c.size, c.stride, c.pad);
    return tf.engine().runKernel('MaxPoolGrad', { dy: poolDy(c, y.shape), input: x, output: y }, { filterSize: c.size, strides: c.stride, pad: c.pad }) as Tensor;
  };

  for (const c of poolCases) {
    it(`AvgPoolGrad: ${c.name}`, async () => {
      await compareWithCpu(() => {
        const x = poolInput(c);
        const avg = tf.avgPool(x, c.size, c.stride, c.pad);
        return tf.engine().runKernel('AvgPoolGrad', { dy: poolDy(c, avg.shape), input: x }, { filterSize: c.size, strides: c.stride, pad: c.pad }) as Tensor;
      });
    });

    if (c.values === 'random') {
      it(`MaxPoolGrad: ${c.name}`, async () => {
        await compareWithCpu(() => maxPoolGrad(c, poolInput(c)));
      });
    } else {
      // Tied maxima: tfjs's webgpu kernel routes the gradient to another of the tied elements than
      // cpu does; both are valid subgradients. Checked per window instead (non-overlapping windows):
      // the gradient lands only on elements equal to their window's max, and each window passes
      // on exactly its dy.
      it(`MaxPoolGrad: ${c.name}: every window's dy lands on one of its maxima`, async () => {
        expect(c.stride).toBe(c.size);
        const [grad, x, windowMax, dy] = await runOn('webgpu', () => {
          const xs = poolInput(c);
          const y = tf.maxPool(xs, c.size, c.stride, c.pad);
          return [maxPoolGrad(c, xs), xs, y, poolDy(c, y.shape)];
        });
        const [, h, w, ch] = c.x;
        const [, oh, ow] = windowMax!.shape as [number, number, number, number];
        const landed = new Float64Array(dy!.values.length);
        for (let i = 0; i < grad!.values.length; i++) {
          const g = grad!.values[i]!;
          if (g === 0) continue;
          const k = i % ch;
          const col = Math.floor(i / ch) % w;
          const row = Math.floor(i / (ch * w)) % h;
          const n = Math.floor(i / (ch * w * h));
          const o = ((n * oh + Math.floor(row / c.stride)) * ow + Math.floor(col / c.stride)) * ch + k;
          expect(x!.values[i]).toBe(windowMax!.values[o]);
          landed[o] = landed[o]! + g;
        }
        for (let o = 0; o < landed.length; o++) expect(landed[o]).toBeCloseTo(dy!.values[o]!, 5);
      });
    }
  }

  for (const c of reduceCases) {
    it(`Sum and Mean: ${c.name}`, async () => {
      await compareWithCpu(() => {
        const x = tf.tensor(seeded(c.shape, 5), c.shape);
        return [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)];
      });
    });
  }
});
