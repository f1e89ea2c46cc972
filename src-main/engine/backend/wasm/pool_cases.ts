/** Pooling cases for the MaxPoolGrad / AvgPoolGrad tests, named by what they exercise. */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { seeded } from './test_util';

export interface PoolCase {
  name: string;
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'valid' | 'same';
  /** How x is made: smooth values, ReLU'd (many all-zero windows), or small integers (ties). */
  values: 'random' | 'relu' | 'integers';
}

export const poolCases: PoolCase[] = [
  { name: '2x2 stride 2 valid, batch 7, 8x10x5', x: [7, 8, 10, 5], size: 2, stride: 2, pad: 'valid', values: 'random' },
  { name: '2x2 stride 2 valid, odd 9x11x3 (last row/col dropped)', x: [1, 9, 11, 3], size: 2, stride: 2, pad: 'valid', values: 'random' },
  { name: '2x2 stride 2 same, batch 7, 8x8x4', x: [7, 8, 8, 4], size: 2, stride: 2, pad: 'same', values: 'random' },
  { name: '3x3 stride 3 valid, batch 1, 9x12x2', x: [1, 9, 12, 2], size: 3, stride: 3, pad: 'valid', values: 'random' },
  { name: '2x2 stride 2 valid after ReLU (all-zero windows tie), batch 7, 8x8x3', x: [7, 8, 8, 3], size: 2, stride: 2, pad: 'valid', values: 'relu' },
  { name: '2x2 stride 2 valid, integer values (ties inside windows), batch 1, 6x6x2', x: [1, 6, 6, 2], size: 2, stride: 2, pad: 'valid', values: 'integers' },
  { name: '1x1 stride 2 valid (option-A shortcut), batch 7, 9x9x4', x: [7, 9, 9, 4], size: 1, stride: 2, pad: 'valid', values: 'random' },
  { name: '3x3 stride 2 same (overlapping, padded: backend kernel), batch 1, 7x9x2', x: [1, 7, 9, 2], size: 3, stride: 2, pad: 'same', values: 'random' },
  { name: '3x3 stride 1 valid (overlapping), batch 7, 6x7x2', x: [7, 6, 7, 2], size: 3, stride: 1, pad: 'valid', values: 'random' },
];

export function poolInput(c: PoolCase): Tensor4D {
  const raw = tf.tensor4d(seeded(c.x, 21), c.x);
  if (c.values === 'relu') return tf.relu(raw) as Tensor4D;
  if (c.values === 'integers') return tf.round(tf.mul(raw, 2)) as Tensor4D;
  return raw;
}

export function poolDy(c: PoolCase, outShape: number[]): Tensor {
  return tf.tensor(seeded(outShape, 22), outShape);
}
