/** oneDNN convolution kernels against tfjs's cpu backend on the wasm tests' shape grid (wasm/conv_cases.ts). */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';

import { tf } from '../../tf';
import { caseName, convCases, convTensors, type ConvCase } from '../wasm/conv_cases';
import { compareBackends, expectNoLeak, seeded } from '../wasm/test_util';
import { loadOnednnAddon } from './addon';
import { convKernels } from './conv';
import { describeOnednn, initOnednn } from './test_util';

function forward(c: ConvCase): Tensor {
  const { x, filter } = convTensors(c);
  return tf.conv2d(x, filter, c.strides, c.pad);
}

function inputGrad(c: ConvCase): Tensor {
  const { dy, filter } = convTensors(c);
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as Tensor;
}

function filterGrad(c: ConvCase): Tensor {
  const { x, dy, filterShape } = convTensors(c);
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape }) as Tensor;
}

describeOnednn('onednn convolution kernels', () => {
  beforeAll(initOnednn);

  it('are registered for onednn', () => {
    for (const k of convKernels) expect(tf.getKernel(k.kernelName, 'onednn')).toBe(k);
  });

  for (const c of convCases) {
    it(`Conv2D ${caseName(c)}`, async () => compareBackends(() => forward(c)));
    it(`Conv2DBackpropInput ${caseName(c)}`, async () => compareBackends(() => inputGrad(c)));
    it(`Conv2DBackpropFilter ${caseName(c)}`, async () => compareBackends(() => filterGrad(c)));
  }

  // On N threads the filter gradient is computed by batch slices, one per thread, then summed.
  for (const c of convCases.filter((k) => k.x[0] > 1)) {
    it(`Conv2DBackpropFilter on 2 threads (batch slices) ${caseName(c)}`, async () => {
      const addon = loadOnednnAddon().addon!;
      addon.setThreads(2);
      try {
        await compareBackends(() => filterGrad(c));
      } finally {
        addon.setThreads(1);
      }
    });
  }

  it('FusedConv2D bias gradient on 2 threads (batch slices): tf.grads of a biased conv', async () => {
    const c = convCases[5]!;
    const addon = loadOnednnAddon().addon!;
    addon.setThreads(2);
    try {
      await compareBackends(() => {
        const { x, filter, dy } = convTensors(c);
        const bias = tf.tensor1d(seeded([c.filters], 4));
        const [gw, gb] = tf.grads((w: Tensor, b: Tensor) =>
          tf.sum(tf.mul(tf.fused.conv2d({ x, filter: w as Tensor4D, strides: c.strides, pad: c.pad, bias: b, activation: 'relu' }), dy)),
        )([filter, bias]);
        return [gw!, gb!];
      });
    } finally {
      addon.setThreads(1);
    }
  });

  for (const c of [convCases[3]!, convCases[5]!, convCases[11]!]) {
    for (const activation of ['linear', 'relu'] as const) {
      it(`FusedConv2D with bias, ${activation}: ${caseName(c)}`, async () =>
        compareBackends(() => {
          const { x, filter } = convTensors(c);
          const bias = tf.tensor1d(seeded([c.filters], 4));
          return tf.fused.conv2d({ x, filter, strides: c.strides, pad: c.pad, bias, activation });
        }));
    }
  }

  it('falls back to the wasm kernel for an activation oneDNN is not asked to fuse (elu)', async () =>
    compareBackends(() => {
      const { x, filter } = convTensors(convCases[3]!);
      return tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias: tf.tensor1d(seeded([6], 4)), activation: 'elu' });
    }));

  it('matches cpu through tf.grads of conv2d (both gradients, 3x3 stride 2 same)', async () => {
    const c = convCases[5]!;
    await compareBackends(() => {
      const { x, filter, dy } = convTensors(c);
      const [gx, gw] = tf.grads((a: Tensor, w: Tensor) => tf.sum(tf.mul(tf.conv2d(a as Tensor4D, w as Tensor4D, c.strides, c.pad), dy)))([x, filter]);
      return [gx!, gw!];
    });
  });

  it('leaks no tensors', () => {
    const c = convCases[5]!;
    const t = convTensors(c);
    expectNoLeak(() => tf.conv2d(t.x, t.filter, c.strides, c.pad));
    expectNoLeak(() => tf.engine().runKernel('Conv2DBackpropFilter', { x: t.x, dy: t.dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: t.filterShape }) as Tensor);
    expectNoLeak(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: t.dy, filter: t.filter }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as Tensor);
    tf.dispose([t.x, t.filter, t.dy]);
  });

  it('rejects NCHW with a clear message', () => {
    const { x, filter } = convTensors(convCases[0]!);
    expect(() => tf.engine().runKernel('Conv2D', { x, filter }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', dilations: 1 })).toThrow(/NHWC/);
    tf.dispose([x, filter]);
  });
});
