/**
 * MaxPoolGrad for the WASM backend.
 *
 * The gradient is built from whole-tensor ops over the kh·kw window taps: for tap (i, j), the
 * values it sees in every window form a tensor of y's shape; where it equals the window's max it
 * gets dy. Ties go to the first tap in row-major order, exactly as tfjs's cpu kernel and TensorFlow
 * do (after a ReLU, all-zero windows are common), by keeping a per-window "not yet taken" mask.
 *
 * Non-overlapping unpadded windows (stride = window: VGG's and LeNet's 2×2/2) take a fast path:
 * viewing x as [n·oh, kh, ow, kw, c], all taps are handled at once by broadcasting against y, with
 * the first-tap rule done by one max pooling of a weighted mask (no slices, no concatenation:
 * ~3× faster than per-tap slices). Other windows use strided slices of the (−∞-)padded input and
 * scatter each tap's gradient back by spreading it over the stride and shifting it into place.
 *
 * Replacing the backend kernel is also a correctness fix: tfjs-backend-wasm 4.22's MaxPoolGrad drops
 * the gradient of windows whose maximum is negative (seen against the cpu kernel in our tests); and
 * it took ~0.2 s per VGG pooling layer at batch 64.
 */
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { asTensor, zeroInsert } from './conv_util';
import { originalKernel } from './originals';

interface Inputs {
  dy: TensorInfo;
  input: TensorInfo;
  output: TensorInfo;
}

function maxPoolGrad(args: { inputs: Inputs; attrs: MaxPoolGradAttrs }): TensorInfo | TensorInfo[] {
  const { dy, input, output } = args.inputs;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const { top, bottom, left, right } = info.padInfo;
  const [n, h, w, c] = input.shape as [number, number, number, number];
  if (input.dtype !== 'float32') return originalKernel('MaxPoolGrad')(args as unknown as Parameters<KernelFunc>[0]);
  const nonOverlapping =
    kh === info.strideHeight &&
    kw === info.strideWidth &&
    top === 0 &&
    bottom === 0 &&
    left === 0 &&
    right === 0 &&
    oh * kh <= h &&
    ow * kw <= w;
  if (!nonOverlapping) return tf.tidy(() => generalMaxPoolGrad(info, input, output, dy));

  return tf.tidy(() => {
    // Rows/columns past the last full window get no gradient; crop them now, pad zeros back at the end.
    let x = asTensor<Tensor4D>(input);
    if (oh * kh < h || ow * kw < w) x = tf.slice(x, [0, 0, 0, 0], [n, oh * kh, ow * kw, c]);
    const windows = tf.reshape(x, [n * oh, kh, ow, kw, c]);
    const perWindow = [n * oh, 1, ow, 1, c];
    // y ≥ every tap of its window, and y − tap is exactly 0 only where the tap is the max, so
    // 1 − step(y − tap) marks the maxima (the backend's Equal is 2× slower than Sub + Step).
    const isMax = tf.sub(1, tf.step(tf.sub(tf.reshape(asTensor(output), perWindow), windows)));
    // Ties: weight the taps kh·kw, kh·kw − 1, … in row-major order and keep the heaviest maximum,
    // found by one max pooling of the weighted mask; again exact, since the weights are integers.
    const order = Array.from({ length: kh * kw }, (_, p) => kh * kw - p);
    const weighted = tf.mul(isMax, tf.tensor(order, [1, kh, 1, kw, 1]));
    const best = tf.maxPool(tf.reshape(weighted, [n, oh * kh, ow * kw, c]) as Tensor4D, [kh, kw], [kh, kw], 'valid');
    const chosen = tf.sub(1, tf.step(tf.sub(tf.reshape(best, perWindow), weighted)));
    const grad = tf.reshape(tf.mul(chosen, tf.reshape(asTensor(dy), perWindow)), [n, oh * kh, ow * kw, c]);
    if (oh * kh === h && ow * kw === w) return grad;
    return tf.pad(grad, [
      [0, 0],
      [0, h - oh * kh],
      [0, w - ow * kw],
      [0, 0],
    ]);
  });
}

/** Any window, stride and padding: per-tap strided slices, gradients scattered back by shifting. */
function generalMaxPoolGrad(info: tf.backend_util.Conv2DInfo, input: TensorInfo, output: TensorInfo, dy: TensorInfo): Tensor {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const [n, h, w, c] = input.shape as [number, number, number, number];
  // Pad so every tap of every window is inside; padding never wins a max.
  const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
  const right = Math.max(0, (ow - 1) * sw + kw - w - left);
  const x = tf.pad(
    asTensor<Tensor4D>(input),
    [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    -Infinity,
  );
  const y = asTensor(output);
  const g = asTensor<Tensor4D>(dy);
  let free: Tensor | null = null;
  const parts: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = tf.stridedSlice(x, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
      const isMax = tf.cast(tf.equal(tap, y), 'float32');
      const taken: Tensor = free ? tf.mul(isMax, free) : isMax;
      if (i !== kh - 1 || j !== kw - 1) free = free ? tf.sub(free, taken) : tf.sub(1, taken);
      // Window (a, b)'s tap (i, j) is input pixel (a·sh + i − top, b·sw + j − left).
      const spread = zeroInsert(tf.mul(taken, g) as Tensor4D, sh, sw);
      parts.push(placeAt(spread, i - top, j - left, h, w));
    }
  }
  return parts.length === 1 ? parts[0]! : tf.addN(parts);
}

/** Places t's pixel (0, 0) at (row, col) of an h×w zero canvas, cropping whatever falls outside. */
function placeAt(t: Tensor4D, row: number, col: number, h: number, w: number): Tensor4D {
  const [n, th, tw, c] = t.shape;
  const cropTop = Math.max(0, -row);
  const cropLeft = Math.max(0, -col);
  const keepH = Math.max(0, Math.min(th - cropTop, h - Math.max(0, row)));
  const keepW = Math.max(0, Math.min(tw - cropLeft, w - Math.max(0, col)));
  if (keepH === 0 || keepW === 0) return tf.zeros([n, h, w, c]);
  const kept = tf.slice(t, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c]);
  const r0 = Math.max(0, row);
  const c0 = Math.max(0, col);
  return tf.pad(kept, [
    [0, 0],
    [r0, h - r0 - keepH],
    [c0, w - c0 - keepW],
    [0, 0],
  ]);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
