import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import {
  depthwiseCases,
  depthwiseName,
  depthwiseTensors,
  filterShapeOf,
  gatherTaps,
  spreadKernel,
  type DepthwiseCase,
  type DepthwiseTensors,
} from './depthwise_cases';
import { expectClose, expectNoLeak, initWasm, runOn } from './test_util';

function filterGrad(c: DepthwiseCase, t: DepthwiseTensors): Tensor {
  return tf.engine().runKernel(
    'DepthwiseConv2dNativeBackpropFilter',
    { x: t.x, dy: t.dy },
    { strides: c.stride, dilations: c.dilation, pad: c.pad, filterShape: filterShapeOf(c) },
  ) as Tensor;
}

/** cpu reference: undilated kernel on the spread filter shape, then every d-th tap. */
function reference(c: DepthwiseCase): Tensor {
  const t = depthwiseTensors(c);
  const k = spreadKernel(c);
  const spread = tf.engine().runKernel(
    'DepthwiseConv2dNativeBackpropFilter',
    { x: t.x, dy: t.dy },
    { strides: c.stride, dilations: 1, pad: c.pad, filterShape: [k, k, c.x[3], c.multiplier] },
  ) as Tensor4D;
  return gatherTaps(spread, c.dilation);
}

describe('wasm DepthwiseConv2dNativeBackpropFilter', () => {
  beforeAll(initWasm);

  it('is registered for wasm', () => {
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBe(depthwiseConv2dNativeBackpropFilterConfig);
  });

  for (const c of depthwiseCases) {
    it(depthwiseName(c), async () => {
      const [expected] = await runOn('cpu', () => reference(c));
      const [actual] = await runOn('wasm', () => filterGrad(c, depthwiseTensors(c)));
      expectClose(actual!, expected!);
    });
  }

  it('matches cpu through tf.grad of depthwiseConv2d (3x3 stride 2 same, multiplier 2)', async () => {
    const c = depthwiseCases[1]!;
    const grad = (): Tensor => {
      const { x, filter, dy } = depthwiseTensors(c);
      const f = (w: Tensor): Tensor =>
        tf.sum(tf.mul(tf.depthwiseConv2d(x, w as Tensor4D, c.stride, 'same'), dy));
      return tf.grad(f)(filter);
    };
    const [expected] = await runOn('cpu', grad);
    const [actual] = await runOn('wasm', grad);
    expectClose(actual!, expected!);
  });

  it('leaks no tensors', () => {
    const c = depthwiseCases[7]!;
    const t = depthwiseTensors(c);
    expectNoLeak(() => filterGrad(c, t));
    tf.dispose([t.x, t.filter, t.dy]);
  });
});
