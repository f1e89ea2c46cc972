/**
 * DepthwiseConv2dNativeBackpropInput for the WASM backend (missing from tfjs-backend-wasm).
 *
 * The adjoint of a depthwise convolution is a depthwise convolution of the stride-spread dy with
 * the spatially flipped filter, one [fh, fw] filter per output channel c·m + k (dilation kept),
 * followed by summing each input channel's m multiplier channels.
 */
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  Tensor4D,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';
import { adjointFilter, asTensor, depthwiseConv2dRaw, pair, zeroInsert } from './conv_util';

function depthwiseConv2dNativeBackpropInput({
  inputs,
  attrs,
  backend,
}: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  return tf.tidy(() => {
    const dy = asTensor<Tensor4D>(inputs.dy);
    const filter = asTensor<Tensor4D>(inputs.filter);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape,
      strides,
      pair(dilations ?? 1),
      pad,
      dimRoundingMode,
      true,
      'channelsLast',
    );
    const [n, h, w, c] = inputShape;
    const [fh, fw, , m] = filter.shape;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const spread = zeroInsert(dy, sh, sw); // [n, oh·sh, ow·sw, c·m]
    const top = (fh - 1) * dh - info.padInfo.top;
    const left = (fw - 1) * dw - info.padInfo.left;
    // Output rows = spreadHeight + top + bottom − (fh − 1)·dh, which must equal h.
    const bottom = h + (fh - 1) * dh - spread.shape[1] - top;
    const right = w + (fw - 1) * dw - spread.shape[2] - left;
    const perChannel = tf.reshape(adjointFilter(backend, filter, true), [fh, fw, c * m, 1]) as Tensor4D;
    const dx = depthwiseConv2dRaw(spread, perChannel, [1, 1], [dh, dw], [top, bottom, left, right]);
    return m === 1 ? dx : tf.sum(tf.reshape(dx, [n, h, w, c, m]), 4);
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
