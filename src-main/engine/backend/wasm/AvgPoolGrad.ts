/**
 * AvgPoolGrad for the WASM backend, for unpadded pooling (every window full, so each input pixel
 * gets dy / (kh·kw) from each window containing it). That is the input gradient of a depthwise
 * convolution with a constant 1/(kh·kw) filter, which our DepthwiseConv2dNativeBackpropInput runs
 * on XNNPACK. ResNet's option-A shortcut (1×1 average pool, stride 2) is the main user; padded
 * pooling (varying window counts) goes to the backend's kernel.
 */
import type { AvgPoolGradAttrs, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { asTensor } from './conv_util';
import { originalKernel } from './originals';

function avgPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; attrs: AvgPoolGradAttrs }): TensorInfo | TensorInfo[] {
  const { dy, input } = args.inputs;
  const { filterSize, strides, pad } = args.attrs;
  const shape = input.shape as [number, number, number, number];
  const info = tf.backend_util.computePool2DInfo(shape, filterSize, strides, 1, pad);
  const { top, bottom, left, right } = info.padInfo;
  if (input.dtype !== 'float32' || top !== 0 || bottom !== 0 || left !== 0 || right !== 0) {
    return originalKernel('AvgPoolGrad')(args as unknown as Parameters<KernelFunc>[0]);
  }
  const { filterHeight: kh, filterWidth: kw } = info;
  return tf.tidy(() => {
    const filter = tf.fill([kh, kw, shape[3], 1], 1 / (kh * kw));
    return tf.engine().runKernel(
      'DepthwiseConv2dNativeBackpropInput',
      { dy: asTensor(dy), filter },
      { strides: [info.strideHeight, info.strideWidth], dilations: 1, pad: 'valid', inputShape: shape },
    ) as Tensor;
  });
}

export const avgPoolGradConfig: KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'wasm',
  kernelFunc: avgPoolGrad as unknown as KernelFunc,
};
