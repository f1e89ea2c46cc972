/**
 * oneDNN depthwise kernels (grouped convolutions) against tfjs's cpu backend on the wasm tests' grid
 * (wasm/depthwise_cases.ts). Dilated cases compare with cpu on the zero-spread filter, because tfjs's
 * cpu backward depthwise kernels ignore dilation.
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, it } from 'vitest';

import { tf } from '../../tf';
import { depthwiseCases, depthwiseName, depthwiseTensors, filterShapeOf, gatherTaps, spreadFilter, spreadKernel, type DepthwiseCase } from '../wasm/depthwise_cases';
import { compareBackends, expectClose, expectNoLeak, runOn, seeded } from '../wasm/test_util';
import { describeOnednn, initOnednn } from './test_util';

function forward(c: DepthwiseCase): Tensor {
  const t = depthwiseTensors(c);
  return tf.depthwiseConv2d(t.x, t.filter, c.stride, c.pad, 'NHWC', c.dilation);
}

function inputGrad(c: DepthwiseCase, dilation = c.dilation, spread = false): Tensor {
  const t = depthwiseTensors(c);
  const filter = spread ? spreadFilter(t.filter, c.dilation) : t.filter;
  return tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: t.dy, filter }, { strides: c.stride, dilations: dilation, pad: c.pad, inputShape: c.x }) as Tensor;
}

function filterGrad(c: DepthwiseCase): Tensor {
  const t = depthwiseTensors(c);
  return tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t.x, dy: t.dy }, { strides: c.stride, dilations: c.dilation, pad: c.pad, filterShape: filterShapeOf(c) }) as Tensor;
}

function filterGradReference(c: DepthwiseCase): Tensor {
  const t = depthwiseTensors(c);
  const k = spreadKernel(c);
  const spread = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t.x, dy: t.dy }, { strides: c.stride, dilations: 1, pad: c.pad, filterShape: [k, k, c.x[3], c.multiplier] }) as Tensor4D;
  return gatherTaps(spread, c.dilation);
}

describeOnednn('onednn depthwise kernels', () => {
  beforeAll(initOnednn);

  for (const c of depthwiseCases) {
    it(`DepthwiseConv2dNative ${depthwiseName(c)}`, async () => compareBackends(() => forward(c)));
    it(`DepthwiseConv2dNativeBackpropInput ${depthwiseName(c)}`, async () => {
      const [expected] = await runOn('cpu', () => inputGrad(c, 1, true));
      const [actual] = await runOn('onednn', () => inputGrad(c));
      expectClose(actual!, expected!);
    });
    it(`DepthwiseConv2dNativeBackpropFilter ${depthwiseName(c)}`, async () => {
      const [expected] = await runOn('cpu', () => filterGradReference(c));
      const [actual] = await runOn('onednn', () => filterGrad(c));
      expectClose(actual!, expected!);
    });
  }

  it('FusedDepthwiseConv2D with bias and ReLU', async () =>
    compareBackends(() => {
      const c = depthwiseCases[1]!;
      const t = depthwiseTensors(c);
      const bias = tf.tensor1d(seeded([c.x[3] * c.multiplier], 5));
      return tf.fused.depthwiseConv2d({ x: t.x, filter: t.filter, strides: c.stride, pad: c.pad, bias, activation: 'relu' });
    }));

  it('matches cpu through tf.grads of depthwiseConv2d (3x3 stride 2 same, multiplier 2)', async () => {
    const c = depthwiseCases[1]!;
    await compareBackends(() => {
      const { x, filter, dy } = depthwiseTensors(c);
      const [gx, gw] = tf.grads((a: Tensor, w: Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as Tensor4D, w as Tensor4D, c.stride, 'same'), dy)))([x, filter]);
      return [gx!, gw!];
    });
  });

  it('leaks no tensors', () => {
    const c = depthwiseCases[7]!;
    const t = depthwiseTensors(c);
    expectNoLeak(() => tf.depthwiseConv2d(t.x, t.filter, c.stride, c.pad, 'NHWC', c.dilation));
    expectNoLeak(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t.x, dy: t.dy }, { strides: c.stride, dilations: c.dilation, pad: c.pad, filterShape: filterShapeOf(c) }) as Tensor);
    tf.dispose([t.x, t.filter, t.dy]);
  });
});
