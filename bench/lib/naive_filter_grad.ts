/**
 * The "before" baseline for the profile: a straightforward scalar-loop Conv2DBackpropFilter (what
 * one writes first when the wasm backend lacks the kernel), reading and writing the wasm heap from
 * JavaScript. Not used in training; only to show what the XNNPACK formulation replaced.
 */
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../src-main/engine/tf';

function naiveFilterGrad({ inputs, attrs, backend }: { inputs: { x: TensorInfo; dy: TensorInfo }; attrs: Conv2DBackpropFilterAttrs; backend: BackendWasm }): TensorInfo {
  const { x, dy } = inputs;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const [fh, fw, , co] = attrs.filterShape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const out = backend.makeOutput([fh, fw, ci, co], 'float32');
  const dw = backend.typedArrayFromHeap(out) as Float32Array;
  dw.fill(0);
  for (let b = 0; b < n; b++)
    for (let r = 0; r < oh; r++)
      for (let c = 0; c < ow; c++) {
        const dyBase = ((b * oh + r) * ow + c) * co;
        for (let i = 0; i < fh; i++) {
          const xr = r * sh + i - top;
          if (xr < 0 || xr >= h) continue;
          for (let j = 0; j < fw; j++) {
            const xc = c * sw + j - left;
            if (xc < 0 || xc >= w) continue;
            const xBase = ((b * h + xr) * w + xc) * ci;
            for (let k = 0; k < ci; k++) {
              const xval = xv[xBase + k]!;
              const wBase = ((i * fw + j) * ci + k) * co;
              for (let o = 0; o < co; o++) dw[wBase + o]! += xval * dyv[dyBase + o]!;
            }
          }
        }
      }
  return out;
}

export const naiveFilterGradConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: naiveFilterGrad as unknown as KernelFunc,
};
