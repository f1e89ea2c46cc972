/**
 * Building blocks shared by the WASM training kernels.
 *
 * Every gradient kernel here is expressed as ordinary tfjs ops (transpose, pad, reshape, ...) plus
 * one forward convolution, because the forward Conv2D / DepthwiseConv2dNative kernels of the WASM
 * backend run on XNNPACK, which is one to two orders of magnitude faster than the naive loops the
 * backend ships for its backward kernels. The ops are called from inside a kernelFunc, so they run
 * at kernelDepth > 0 and are neither taped nor visible to gradients; callers wrap them in tf.tidy so
 * every intermediate is released.
 */
import type { Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';

/** [top, bottom, left, right]; entries may be negative (meaning: crop that many rows/columns). */
export type Pads = [number, number, number, number];

/**
 * Kernel inputs are typed as TensorInfo; in practice the engine hands kernels the Tensors the op
 * was called with, but a caller may also pass a bare TensorInfo (another backend kernel calling us
 * directly). Wrap those so tfjs ops accept them; the wrapper shares the data (refcounted) and is
 * released by the surrounding tidy.
 */
export function asTensor<T extends Tensor = Tensor>(info: TensorInfo): T {
  if (info instanceof tf.Tensor) return info as T;
  return tf.engine().makeTensorFromTensorInfo(info) as T;
}

export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Rejects the NCHW layout up front: the whole engine is NHWC and XNNPACK only runs channels-last. */
export function assertNhwc(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`WASM training kernel ${kernel} supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
  }
}

/**
 * Crops rows/columns where a pad is negative (a negative pad is an exact crop: those input pixels
 * only contribute to outputs that do not exist) and returns the non-negative pads left to apply.
 */
export function cropNegativePads(x: Tensor4D, pads: Pads): { x: Tensor4D; pads: Pads } {
  const [t, b, l, r] = pads;
  if (t >= 0 && b >= 0 && l >= 0 && r >= 0) return { x, pads };
  const [n, h, w, c] = x.shape;
  const top = Math.max(0, -t);
  const left = Math.max(0, -l);
  const height = h - top - Math.max(0, -b);
  const width = w - left - Math.max(0, -r);
  const cropped = tf.slice(x, [0, top, left, 0], [n, height, width, c]);
  return { x: cropped, pads: [Math.max(0, t), Math.max(0, b), Math.max(0, l), Math.max(0, r)] };
}

function explicitPad(p: Pads): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [p[0], p[1]],
    [p[2], p[3]],
    [0, 0],
  ];
}

/**
 * Forward convolution with explicit (possibly negative) pads, dispatched straight to the backend's
 * Conv2D kernel. runKernel rather than tf.conv2d: the op refuses stride > 1 together with
 * dilation > 1, which the filter gradient of a dilated strided depthwise conv needs and XNNPACK
 * computes fine.
 */
export function conv2dRaw(
  x: Tensor4D,
  filter: Tensor4D,
  strides: [number, number],
  dilations: [number, number],
  pads: Pads,
): Tensor4D {
  return convKernel('Conv2D', x, filter, strides, dilations, pads);
}

/** Depthwise counterpart of conv2dRaw; filter is [fh, fw, inChannels, multiplier]. */
export function depthwiseConv2dRaw(
  x: Tensor4D,
  filter: Tensor4D,
  strides: [number, number],
  dilations: [number, number],
  pads: Pads,
): Tensor4D {
  return convKernel('DepthwiseConv2dNative', x, filter, strides, dilations, pads);
}

function convKernel(
  kernelName: 'Conv2D' | 'DepthwiseConv2dNative',
  x: Tensor4D,
  filter: Tensor4D,
  strides: [number, number],
  dilations: [number, number],
  pads: Pads,
): Tensor4D {
  const c = cropNegativePads(x, pads);
  return tf.engine().runKernel(
    kernelName,
    { x: c.x, filter },
    { strides, dilations, pad: explicitPad(c.pads), dataFormat: 'NHWC' },
  ) as Tensor4D;
}

/**
 * Spreads dy out by the forward stride: [n, oh, ow, c] -> [n, oh*sh, ow*sw, c] with dy[i, j] at
 * (i*sh, j*sw) and zeros elsewhere. The result carries sh-1 (sw-1) trailing zero rows (columns)
 * beyond the last real one; callers account for them in their pads.
 */
export function zeroInsert(dy: Tensor4D, sh: number, sw: number): Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, oh * sh, ow * sw, c]);
}

/**
 * Filter with its fh·fw spatial taps in reverse order (both spatial axes flipped), written straight
 * into the wasm heap: each tap is one contiguous [a·b] block, so this is fh·fw block copies. The
 * backend's Reverse (and Gather) walk every element with index arithmetic and cost ~0.36 s for a
 * 3×3×256×512 VGG filter, seconds per step.
 */
export function reverseTaps(backend: BackendWasm, filter: Tensor4D): Tensor4D {
  const [fh, fw, a, b] = filter.shape;
  const block = a * b;
  const taps = fh * fw;
  const out = backend.makeOutput([fh, fw, a, b], 'float32');
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let t = 0; t < taps; t++) {
    dst.set(src.subarray(t * block, (t + 1) * block), (taps - 1 - t) * block);
  }
  return tf.engine().makeTensorFromTensorInfo(out) as Tensor4D;
}

/**
 * The adjoint filter of a convolution: spatially flipped and, unless `keepChannels`, with the
 * in/out channel axes swapped: [fh, fw, a, b] -> [fh, fw, b, a].
 */
export function adjointFilter(backend: BackendWasm, filter: Tensor4D, keepChannels = false): Tensor4D {
  const flipped = reverseTaps(backend, filter);
  return keepChannels ? flipped : tf.transpose(flipped, [0, 1, 3, 2]);
}
