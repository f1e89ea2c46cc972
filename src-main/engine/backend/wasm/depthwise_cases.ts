/**
 * Shape grid for the depthwise gradient kernel tests.
 *
 * tfjs's cpu backward depthwise kernels ignore dilation (and tfjs's gradient refuses dilation > 1),
 * so for dilated cases the reference is the cpu kernel on the equivalent undilated filter: the
 * filter spread out with zeros to (k − 1)·d + 1 taps.
 */
import type { Tensor4D } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { seeded } from './test_util';

export interface DepthwiseCase {
  x: [number, number, number, number];
  kernel: number;
  multiplier: number;
  stride: number;
  dilation: number;
  pad: 'same' | 'valid' | number;
}

export function depthwiseName(c: DepthwiseCase): string {
  const [n, h, w, ch] = c.x;
  const pad = typeof c.pad === 'number' ? `pad ${c.pad}` : c.pad;
  const dil = c.dilation > 1 ? ` dilation ${c.dilation}` : '';
  return `${c.kernel}x${c.kernel} stride ${c.stride}${dil} ${pad}, multiplier ${c.multiplier}, batch ${n}, ${h}x${w}x${ch}`;
}

export const depthwiseCases: DepthwiseCase[] = [
  { x: [1, 8, 8, 3], kernel: 3, multiplier: 1, stride: 1, dilation: 1, pad: 'same' },
  { x: [7, 9, 11, 3], kernel: 3, multiplier: 2, stride: 2, dilation: 1, pad: 'same' },
  { x: [7, 11, 9, 2], kernel: 5, multiplier: 1, stride: 1, dilation: 1, pad: 'valid' },
  { x: [1, 7, 7, 4], kernel: 1, multiplier: 2, stride: 2, dilation: 1, pad: 'valid' },
  { x: [7, 7, 9, 3], kernel: 3, multiplier: 1, stride: 1, dilation: 1, pad: 1 },
  { x: [1, 13, 12, 2], kernel: 5, multiplier: 1, stride: 2, dilation: 1, pad: 'same' },
  { x: [1, 11, 11, 2], kernel: 3, multiplier: 1, stride: 1, dilation: 2, pad: 'same' },
  { x: [7, 9, 10, 3], kernel: 3, multiplier: 2, stride: 1, dilation: 2, pad: 'valid' },
];

export function filterShapeOf(c: DepthwiseCase): [number, number, number, number] {
  return [c.kernel, c.kernel, c.x[3], c.multiplier];
}

/** Effective (zero-spread) kernel size of a dilated filter. */
export function spreadKernel(c: DepthwiseCase): number {
  return (c.kernel - 1) * c.dilation + 1;
}

/** filter [k, k, c, m] -> [(k−1)d+1, (k−1)d+1, c, m] with taps at multiples of d, zeros between. */
export function spreadFilter(filter: Tensor4D, d: number): Tensor4D {
  if (d === 1) return filter;
  const [k, , c, m] = filter.shape;
  const big = (k - 1) * d + 1;
  const spread = tf.pad(tf.reshape(filter, [k, 1, k, 1, c, m]), [
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, 0],
  ]);
  return tf.slice(tf.reshape(spread, [k * d, k * d, c, m]) as Tensor4D, [0, 0, 0, 0], [big, big, c, m]);
}

/** Taps at multiples of d of a spread gradient: the inverse selection of spreadFilter. */
export function gatherTaps(spread: Tensor4D, d: number): Tensor4D {
  if (d === 1) return spread;
  const [big, , c, m] = spread.shape;
  return tf.stridedSlice(spread, [0, 0, 0, 0], [big, big, c, m], [d, d, 1, 1]) as Tensor4D;
}

export interface DepthwiseTensors {
  x: Tensor4D;
  filter: Tensor4D;
  dy: Tensor4D;
}

export function depthwiseTensors(c: DepthwiseCase): DepthwiseTensors {
  const fs = filterShapeOf(c);
  const x = tf.tensor4d(seeded(c.x, 11), c.x);
  const filter = tf.tensor4d(seeded(fs, 12), fs);
  const info = tf.backend_util.computeConv2DInfo(c.x, fs, c.stride, c.dilation, c.pad, undefined, true);
  const dy = tf.tensor4d(seeded(info.outShape, 13), info.outShape);
  return { x, filter, dy };
}
