/**
 * Conv2DBackpropFilter for the WASM backend (the backend ships none, so conv layers cannot train).
 *
 * dW[i, j, ci, co] = Σ_{n, oh, ow} x[n, oh·s + i − padTop, ow·s + j − padLeft, ci] · dy[n, oh, ow, co]
 *
 * Read with the batch axis as the reduction ("channel") axis, this is itself a forward convolution:
 * input x transposed to [ci, h, w, n] (batch ↔ channels), filter dy transposed to [oh, ow, n, co],
 * stride 1, dilation = the forward stride, the forward padding on top/left and whatever
 * bottom/right padding makes the output exactly [ci, fh, fw, co]. XNNPACK then does the work.
 */
import type {
  Conv2DBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  Tensor4D,
  TensorInfo,
} from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { asTensor, assertNhwc, conv2dRaw } from './conv_util';

function conv2DBackpropFilter({
  inputs,
  attrs,
}: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  assertNhwc('Conv2DBackpropFilter', dataFormat);
  return tf.tidy(() => {
    const x = asTensor<Tensor4D>(inputs.x);
    const dy = asTensor<Tensor4D>(inputs.dy);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    // Output rows = paddedHeight − (outHeight − 1)·sh, which must equal fh.
    const bottom = fh + (info.outHeight - 1) * sh - info.inHeight - top;
    const right = fw + (info.outWidth - 1) * sw - info.inWidth - left;

    const xT = tf.transpose(x, [3, 1, 2, 0]); // [ci, h, w, n]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]
    const grad = conv2dRaw(xT, dyT, [1, 1], [sh, sw], [top, bottom, left, right]); // [ci, fh, fw, co]
    return tf.transpose(grad, [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
