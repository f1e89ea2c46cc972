/**
 * Sum for the WASM backend: reductions over leading/middle NHWC axes as one average pooling (see
 * reduce_util.ts); innermost-axis and non-float reductions go to the backend's kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { originalKernel } from './originals';
import { canPoolReduce, poolReduce } from './reduce_util';

function sum(args: {
  inputs: { x: TensorInfo };
  attrs: { axis: number | number[]; keepDims: boolean };
}): TensorInfo | TensorInfo[] {
  const { x } = args.inputs;
  const { axis, keepDims } = args.attrs;
  // Decide outside tidy: tidy's callback must return a TensorContainer, not null.
  if (!canPoolReduce(x, axis)) return originalKernel('Sum')(args as unknown as Parameters<KernelFunc>[0]);
  return tf.tidy(() => poolReduce(x, axis, keepDims, true));
}

export const sumConfig: KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: sum as unknown as KernelFunc,
};
