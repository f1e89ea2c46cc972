/**
 * Conv2DBackpropInput for the WASM backend, replacing the backend's naive loop kernel.
 *
 * The input gradient is the adjoint of the forward convolution: spread dy out by the stride
 * (zeros between samples), then correlate it with the spatially flipped filter whose in/out
 * channel axes are swapped, stride 1. Padding (fh − 1 − padTop) on top; the bottom pad is chosen so
 * the result has exactly the input's height (negative pads crop). XNNPACK does the convolution.
 * Strided layers go by phases instead (polyphase.ts): the spread dy is mostly zeros, and
 * correlating it with the whole filter would cost stride² times the forward pass.
 */
import type {
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  Tensor4D,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';
import { adjointFilter, asTensor, assertNhwc, conv2dRaw } from './conv_util';
import { stridedInputGrad } from './polyphase';

function conv2DBackpropInput({
  inputs,
  attrs,
  backend,
}: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  assertNhwc('Conv2DBackpropInput', dataFormat);
  return tf.tidy(() => {
    const dy = asTensor<Tensor4D>(inputs.dy);
    const filter = asTensor<Tensor4D>(inputs.filter);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    const adjoint = adjointFilter(backend, filter); // flipped, [fh, fw, co, ci]
    if (sh > 1 || sw > 1) {
      return stridedInputGrad(backend, dy, adjoint, inputShape, [sh, sw], [info.padInfo.top, info.padInfo.left]);
    }
    const top = fh - 1 - info.padInfo.top;
    const left = fw - 1 - info.padInfo.left;
    // Output rows = dyHeight + top + bottom − (fh − 1), which must equal the input height.
    const bottom = info.inHeight + fh - 1 - dy.shape[1] - top;
    const right = info.inWidth + fw - 1 - dy.shape[2] - left;
    return conv2dRaw(dy, adjoint, [1, 1], [1, 1], [top, bottom, left, right]);
  });
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
