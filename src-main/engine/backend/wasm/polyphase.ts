/**
 * Input gradient of a strided convolution by phases (polyphase decomposition).
 *
 * The plain adjoint spreads dy by the stride and convolves the spread tensor with the whole flipped
 * filter: with stride s, s² − 1 of every s² multiplications hit an inserted zero (a stride-2 layer's
 * input gradient cost 4× its forward pass). Instead, split dx by the phase of its row and column,
 * (a, b) = (i mod sh, j mod sw). Along one axis, input row i = s·u + a receives dy[o]·W[k] exactly when
 * o·s + k − padTop = i, i.e. only from the taps k ≡ (a + padTop) (mod s), and then o = u + q − t for
 * tap k = r + s·t. So every phase is an ordinary stride-1 correlation of dy (not spread) with the
 * sub-filter of those taps, flipped, in/out channels swapped — together exactly the forward pass's
 * multiplications. The phases are then interleaved into dx with one pass over the wasm heap.
 */
import type { Tensor4D } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';
import { conv2dRaw } from './conv_util';

/** One axis of the decomposition for phase a: which taps, and the stride-1 correlation's pads. */
interface AxisPhase {
  /** Taps of this phase in the flipped filter: start, step = stride, count (0: the phase gets no gradient). */
  start: number;
  count: number;
  /** Pads of the stride-1 correlation of dy (negative = crop) giving exactly `rows` output rows. */
  before: number;
  after: number;
}

/**
 * @param a phase, 0 ≤ a < s; @param k filter size; @param s stride; @param padBefore forward pad;
 * @param outLen dy's length on this axis; @param rows output rows wanted (the same for every phase,
 * ceil(inLen / s), so the phases can be interleaved; rows past the input's end are dropped later).
 */
export function axisPhase(a: number, k: number, s: number, padBefore: number, outLen: number, rows: number): AxisPhase {
  const r = (((a + padBefore) % s) + s) % s; // first tap of the phase in the (unflipped) filter
  const count = r < k ? Math.ceil((k - r) / s) : 0;
  if (count === 0) return { start: 0, count: 0, before: 0, after: 0 };
  const q = (a + padBefore - r) / s; // dy row feeding u with the phase's first tap: u + q
  // Flipped filter index of tap r + s·(count − 1 − t') is k − 1 − r − s·(count − 1) + s·t'.
  const start = k - 1 - r - s * (count - 1);
  const before = count - 1 - q;
  const after = rows + count - 1 - outLen - before;
  return { start, count, before, after };
}

/**
 * dx of a conv2d with stride (sh, sw) > 1, from dy [n, oh, ow, co] and the adjoint filter (spatially
 * flipped, [fh, fw, co, ci]). pads are the forward pass's top and left pads.
 */
export function stridedInputGrad(
  backend: BackendWasm,
  dy: Tensor4D,
  adjoint: Tensor4D,
  inputShape: [number, number, number, number],
  strides: [number, number],
  padTopLeft: [number, number],
): Tensor4D {
  const [n, h, w, ci] = inputShape;
  const [sh, sw] = strides;
  const [fh, fw, co] = adjoint.shape;
  const rows = Math.ceil(h / sh);
  const cols = Math.ceil(w / sw);
  const phases: Array<{ a: number; b: number; dx: Tensor4D }> = [];
  for (let a = 0; a < sh; a++) {
    const pa = axisPhase(a, fh, sh, padTopLeft[0], dy.shape[1], rows);
    if (pa.count === 0) continue;
    for (let b = 0; b < sw; b++) {
      const pb = axisPhase(b, fw, sw, padTopLeft[1], dy.shape[2], cols);
      if (pb.count === 0) continue;
      const sub = tf.stridedSlice(adjoint, [pa.start, pb.start, 0, 0], [pa.start + sh * (pa.count - 1) + 1, pb.start + sw * (pb.count - 1) + 1, co, ci], [sh, sw, 1, 1]) as Tensor4D;
      phases.push({ a, b, dx: conv2dRaw(dy, sub, [1, 1], [1, 1], [pa.before, pa.after, pb.before, pb.after]) });
    }
  }
  // Interleave: dx[:, sh·u + a, sw·v + b, :] = phase(a, b)[:, u, v, :]; phases without taps stay zero.
  const out = backend.makeOutput([n, h, w, ci], 'float32');
  const dst = backend.typedArrayFromHeap(out) as Float32Array; // read after makeOutput: the heap may grow
  if (phases.length < sh * sw) dst.fill(0);
  for (const { a, b, dx } of phases) {
    const src = backend.typedArrayFromHeap(dx) as Float32Array;
    for (let img = 0; img < n; img++) {
      for (let u = 0, i = a; i < h; u++, i += sh) {
        const srcRow = ((img * rows + u) * cols) * ci;
        const dstRow = (img * h + i) * w * ci;
        for (let v = 0, j = b; j < w; v++, j += sw) {
          const s0 = srcRow + v * ci;
          const d0 = dstRow + j * ci;
          for (let c = 0; c < ci; c++) dst[d0 + c] = src[s0 + c]!;
        }
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as Tensor4D;
}
