import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { caseName, convCases, convTensors, type ConvCase } from './conv_cases';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { compareBackends, expectNoLeak, initWasm } from './test_util';

function filterGrad(c: ConvCase, t = convTensors(c)): Tensor {
  const { x, dy, filterShape } = t;
  return tf.engine().runKernel(
    'Conv2DBackpropFilter',
    { x, dy },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape },
  ) as Tensor;
}

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(initWasm);

  it('is registered for wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(conv2DBackpropFilterConfig);
  });

  for (const c of convCases) {
    it(caseName(c), async () => {
      await compareBackends(() => filterGrad(c));
    });
  }

  it('matches cpu through tf.grads of conv2d (3x3 stride 2 same, batch 3, 9x9x4 -> 5 filters)', async () => {
    const c = convCases.find((k) => k.kernel[0] === 3 && k.strides[0] === 2 && k.pad === 'same')!;
    await compareBackends(() => {
      const { x, filter, dy } = convTensors(c);
      const f = (w: Tensor): Tensor => tf.sum(tf.mul(tf.conv2d(x, w as typeof filter, c.strides, 'same'), dy));
      return tf.grad(f)(filter);
    });
  });

  it('leaks no tensors', () => {
    const c = convCases[5]!;
    const t = convTensors(c);
    expectNoLeak(() => filterGrad(c, t));
    tf.dispose([t.x, t.filter, t.dy]);
  });

  it('rejects NCHW with a clear message', () => {
    const { x, dy, filter, filterShape } = convTensors(convCases[0]!);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape }),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy, filter]);
  });
});
