import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { caseName, convCases, convTensors, type ConvCase } from './conv_cases';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { compareBackends, expectNoLeak, initWasm } from './test_util';

function inputGrad(c: ConvCase, t = convTensors(c)): Tensor {
  const { filter, dy } = t;
  return tf.engine().runKernel(
    'Conv2DBackpropInput',
    { dy, filter },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
  ) as Tensor;
}

describe('wasm Conv2DBackpropInput', () => {
  beforeAll(initWasm);

  it('replaces the backend kernel', () => {
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(conv2DBackpropInputConfig);
  });

  for (const c of convCases) {
    it(caseName(c), async () => {
      await compareBackends(() => inputGrad(c));
    });
  }

  it('matches cpu through tf.grads of conv2d (5x5 stride 2 valid)', async () => {
    const c = convCases.find((k) => k.kernel[0] === 5 && k.strides[0] === 2 && k.pad === 'valid')!;
    await compareBackends(() => {
      const { x, filter, dy } = convTensors(c);
      const f = (v: Tensor): Tensor => tf.sum(tf.mul(tf.conv2d(v as typeof x, filter, c.strides, 'valid'), dy));
      return tf.grad(f)(x);
    });
  });

  it('leaks no tensors', () => {
    const c = convCases[5]!;
    const t = convTensors(c);
    expectNoLeak(() => inputGrad(c, t));
    tf.dispose([t.x, t.filter, t.dy]);
  });
});
