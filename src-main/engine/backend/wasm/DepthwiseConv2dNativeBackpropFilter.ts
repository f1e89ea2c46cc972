/**
 * DepthwiseConv2dNativeBackpropFilter for the WASM backend (missing from tfjs-backend-wasm).
 *
 * dW[i, j, c, k] = Σ_{n, oh, ow} x[n, oh·s + i·d − padTop, ow·s + j·d − padLeft, c] · dy[n, oh, ow, c·m + k]
 *
 * Folding the batch into the channel axis turns this into one depthwise convolution: input
 * x → [1, h, w, n·c], filter dy → [oh, ow, n·c, m], stride = the forward dilation, dilation = the
 * forward stride; its output [1, fh, fw, n·c·m] summed over n is the filter gradient.
 * Dilations > 1 are supported here even though tfjs's own gradient of depthwiseConv2d refuses them.
 */
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  Tensor4D,
  TensorInfo,
} from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { asTensor, depthwiseConv2dRaw, pair } from './conv_util';

function depthwiseConv2dNativeBackpropFilter({
  inputs,
  attrs,
}: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  return tf.tidy(() => {
    const x = asTensor<Tensor4D>(inputs.x);
    const dy = asTensor<Tensor4D>(inputs.dy);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      pair(dilations ?? 1),
      pad,
      dimRoundingMode,
      true,
      'channelsLast',
    );
    const [n, h, w, c] = x.shape;
    const [fh, fw, , m] = filterShape;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { outHeight: oh, outWidth: ow } = info;
    const { top, left } = info.padInfo;
    // Padded extent must be exactly (fh − 1)·dh + (oh − 1)·sh + 1 for an fh-row output.
    const bottom = (fh - 1) * dh + (oh - 1) * sh + 1 - h - top;
    const right = (fw - 1) * dw + (ow - 1) * sw + 1 - w - left;

    const xFolded = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]) as Tensor4D;
    const dyFilter = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, m]) as Tensor4D;
    const perSample = depthwiseConv2dRaw(xFolded, dyFilter, [dh, dw], [sh, sw], [top, bottom, left, right]);
    return tf.reshape(tf.sum(tf.reshape(perSample, [fh, fw, n, c * m]), 2), [fh, fw, c, m]);
  });
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
