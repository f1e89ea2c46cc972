/**
 * Tile for the WASM backend.
 *
 * The backend's Tile computes a multi-index per output element and is ~20× slower than a memory
 * copy; tfjs's batch-norm gradient tiles a per-channel vector to the full activation shape, so it
 * dominated a ResNet training step. Tiling is a broadcast: x [d0..dk] with reps [r0..rk] equals x
 * reshaped to [1, d0, 1, d1, …] broadcast to [r0, d0, r1, d1, …], then reshaped to the output.
 * The broadcast is done by adding zeros through the backend's broadcasting Add (XNNPACK); size-1
 * axes are dropped and neighbours of the same kind merged, so the broadcast rank stays small.
 * Non-numeric dtypes go to the backend's kernel.
 */
import type { KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { asTensor } from './conv_util';
import { originalKernel } from './originals';

interface Axis {
  size: number;
  /** true: a repetition axis (x broadcast along it); false: one of x's own axes. */
  repeat: boolean;
}

/** Interleaved [r0, d0, r1, d1, …] axes with size-1 axes dropped and same-kind neighbours merged. */
export function tileAxes(shape: readonly number[], reps: readonly number[]): Axis[] {
  const axes: Axis[] = [];
  const push = (size: number, repeat: boolean): void => {
    if (size === 1) return;
    const last = axes[axes.length - 1];
    if (last && last.repeat === repeat) last.size *= size;
    else axes.push({ size, repeat });
  };
  shape.forEach((d, i) => {
    push(reps[i] ?? 1, true);
    push(d, false);
  });
  return axes;
}

function tile(args: { inputs: { x: TensorInfo }; attrs: { reps: number[] } }): TensorInfo | TensorInfo[] {
  const { x } = args.inputs;
  const { reps } = args.attrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    return originalKernel('Tile')(args as unknown as Parameters<KernelFunc>[0]);
  }
  const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  return tf.tidy(() => {
    const t = asTensor(x);
    const axes = tileAxes(x.shape, reps);
    if (!axes.some((a) => a.repeat)) return tf.reshape(t, outShape);
    const xShape = axes.map((a) => (a.repeat ? 1 : a.size));
    const zerosShape = axes.map((a) => (a.repeat ? a.size : 1));
    const spread: Tensor = tf.add(tf.reshape(t, xShape), tf.zeros(zerosShape, x.dtype));
    return tf.reshape(spread, outShape);
  });
}

export const tileConfig: KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelFunc,
};
