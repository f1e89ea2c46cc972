/** Input checks shared by the two batch-norm kernels (FfrBatchNormTraining*.ts). */
import type { TensorInfo } from '@tensorflow/tfjs';

/**
 * The channel count c of x ([..., c]), after checking that every per-channel input holds c values,
 * that dy (the gradient kernel's) has x's shape, and that everything is float32: the kernels read
 * the heap as Float32Array, so another dtype would be silently misread. models/batch_norm.ts only
 * dispatches float32 here; the checks guard direct callers.
 */
export function channelCount(kernel: string, x: TensorInfo, perChannel: TensorInfo[], dy?: TensorInfo): number {
  const all = [x, ...perChannel, ...(dy ? [dy] : [])];
  if (!all.every((t) => t.dtype === 'float32')) {
    throw new Error(`WASM kernel ${kernel} supports float32 only, got ${all.map((t) => t.dtype).join(', ')}.`);
  }
  const c = x.shape[x.shape.length - 1] ?? 0;
  if (c === 0) throw new Error(`WASM kernel ${kernel}: x of shape [${x.shape.join(',')}] has no channels.`);
  if (dy && dy.shape.join(',') !== x.shape.join(',')) {
    throw new Error(`WASM kernel ${kernel}: dy is [${dy.shape.join(',')}] but x is [${x.shape.join(',')}].`);
  }
  for (const t of perChannel) {
    if (t.shape.reduce((p, d) => p * d, 1) !== c) {
      throw new Error(`WASM kernel ${kernel}: a per-channel input of shape [${t.shape.join(',')}] for ${c} channels.`);
    }
  }
  return c;
}

/**
 * Elements per tile of the kernels' loops: whole rows of c, about 16 KB of float32.
 *
 * The obvious loop (each row, then its c channels, accumulating into per-channel arrays) loads and
 * stores two float64 accumulators per element and runs ~2.5× slower in V8 than this order: the
 * data is cut into tiles of whole rows, and within a tile, four channels at a time are walked down
 * the rows (stride c) with their accumulators and constants in local variables. A tile stays in L1
 * while its c/4 column sweeps pass over it, so the strided reads cost no extra memory traffic.
 */
export function tileLength(c: number): number {
  return Math.max(1, Math.floor(4096 / c)) * c;
}
