/** The shape grid the Conv2D gradient kernel tests run, each case named by what it exercises. */
import type { Tensor4D } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { seeded } from './test_util';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
export type Pad = 'same' | 'valid' | number | ExplicitPad;

export interface ConvCase {
  x: [number, number, number, number];
  kernel: [number, number];
  filters: number;
  strides: [number, number];
  pad: Pad;
}

function describePad(pad: Pad): string {
  if (typeof pad === 'string') return pad;
  if (typeof pad === 'number') return `pad ${pad}`;
  return `pad t${pad[1][0]} b${pad[1][1]} l${pad[2][0]} r${pad[2][1]}`;
}

export function caseName(c: ConvCase, extra = ''): string {
  const [n, h, w, ch] = c.x;
  const stride = c.strides[0] === c.strides[1] ? `${c.strides[0]}` : `${c.strides[0]}x${c.strides[1]}`;
  return (
    `${c.kernel[0]}x${c.kernel[1]} stride ${stride} ${describePad(c.pad)}${extra}, ` +
    `batch ${n}, ${h}x${w}x${ch} -> ${c.filters} filters`
  );
}

const k = (n: number): [number, number] => [n, n];

export const convCases: ConvCase[] = [
  { x: [1, 5, 5, 3], kernel: k(1), filters: 4, strides: k(1), pad: 'valid' },
  { x: [7, 9, 11, 5], kernel: k(1), filters: 4, strides: k(2), pad: 'same' },
  { x: [1, 5, 5, 2], kernel: k(1), filters: 3, strides: k(1), pad: 2 },
  { x: [1, 8, 8, 3], kernel: k(3), filters: 6, strides: k(1), pad: 'same' },
  { x: [7, 9, 11, 5], kernel: k(3), filters: 4, strides: k(1), pad: 'valid' },
  { x: [7, 9, 11, 5], kernel: k(3), filters: 4, strides: k(2), pad: 'same' },
  { x: [1, 8, 8, 3], kernel: k(3), filters: 4, strides: k(2), pad: 'same' },
  { x: [1, 10, 7, 2], kernel: k(3), filters: 3, strides: k(2), pad: 'valid' },
  { x: [7, 7, 9, 4], kernel: k(3), filters: 5, strides: k(1), pad: 1 },
  { x: [1, 9, 9, 3], kernel: k(3), filters: 2, strides: k(2), pad: 1 },
  { x: [1, 10, 10, 2], kernel: k(3), filters: 2, strides: k(3), pad: 'valid' },
  { x: [2, 8, 10, 3], kernel: k(3), filters: 4, strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 11, 9, 3], kernel: k(5), filters: 2, strides: k(1), pad: 'same' },
  { x: [7, 13, 12, 2], kernel: k(5), filters: 3, strides: k(2), pad: 'same' },
  { x: [1, 13, 13, 4], kernel: k(5), filters: 4, strides: k(2), pad: 'valid' },
  { x: [7, 6, 7, 3], kernel: k(5), filters: 2, strides: k(1), pad: 2 },
  // Stride larger than the kernel: some input phases receive no gradient at all.
  { x: [2, 10, 11, 3], kernel: k(2), filters: 3, strides: k(3), pad: 'valid' },
  { x: [1, 7, 8, 2], kernel: [1, 3], filters: 2, strides: [2, 4], pad: 'same' },
];

export interface ConvTensors {
  x: Tensor4D;
  filter: Tensor4D;
  dy: Tensor4D;
  filterShape: [number, number, number, number];
}

/** Seeded x, filter and an upstream gradient dy of the forward output's shape. */
export function convTensors(c: ConvCase): ConvTensors {
  const filterShape: [number, number, number, number] = [c.kernel[0], c.kernel[1], c.x[3], c.filters];
  const x = tf.tensor4d(seeded(c.x, 1), c.x);
  const filter = tf.tensor4d(seeded(filterShape, 2), filterShape);
  const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.strides, 1, c.pad);
  const dy = tf.tensor4d(seeded(info.outShape, 3), info.outShape);
  return { x, filter, dy, filterShape };
}
