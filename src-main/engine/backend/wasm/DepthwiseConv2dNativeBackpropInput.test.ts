import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import {
  depthwiseCases,
  depthwiseName,
  depthwiseTensors,
  spreadFilter,
  type DepthwiseCase,
  type DepthwiseTensors,
} from './depthwise_cases';
import { expectClose, expectNoLeak, initWasm, runOn } from './test_util';

function inputGrad(c: DepthwiseCase, t: DepthwiseTensors): Tensor {
  return tf.engine().runKernel(
    'DepthwiseConv2dNativeBackpropInput',
    { dy: t.dy, filter: t.filter },
    { strides: c.stride, dilations: c.dilation, pad: c.pad, inputShape: c.x },
  ) as Tensor;
}

/** cpu reference: undilated kernel with the zero-spread filter. */
function reference(c: DepthwiseCase): Tensor {
  const t = depthwiseTensors(c);
  return tf.engine().runKernel(
    'DepthwiseConv2dNativeBackpropInput',
    { dy: t.dy, filter: spreadFilter(t.filter, c.dilation) },
    { strides: c.stride, dilations: 1, pad: c.pad, inputShape: c.x },
  ) as Tensor;
}

describe('wasm DepthwiseConv2dNativeBackpropInput', () => {
  beforeAll(initWasm);

  it('is registered for wasm', () => {
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBe(depthwiseConv2dNativeBackpropInputConfig);
  });

  for (const c of depthwiseCases) {
    it(depthwiseName(c), async () => {
      const [expected] = await runOn('cpu', () => reference(c));
      const [actual] = await runOn('wasm', () => inputGrad(c, depthwiseTensors(c)));
      expectClose(actual!, expected!);
    });
  }

  it('matches cpu through tf.grad of depthwiseConv2d (5x5 stride 1 valid)', async () => {
    const c = depthwiseCases[2]!;
    const grad = (): Tensor => {
      const { x, filter, dy } = depthwiseTensors(c);
      const f = (v: Tensor): Tensor =>
        tf.sum(tf.mul(tf.depthwiseConv2d(v as Tensor4D, filter, c.stride, 'valid'), dy));
      return tf.grad(f)(x);
    };
    const [expected] = await runOn('cpu', grad);
    const [actual] = await runOn('wasm', grad);
    expectClose(actual!, expected!);
  });

  it('leaks no tensors', () => {
    const c = depthwiseCases[1]!;
    const t = depthwiseTensors(c);
    expectNoLeak(() => inputGrad(c, t));
    tf.dispose([t.x, t.filter, t.dy]);
  });
});
