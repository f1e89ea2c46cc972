/**
 * Mean for the WASM backend: reductions over leading/middle NHWC axes (batch-norm statistics, global
 * average pooling) as one XNNPACK average pooling (see reduce_util.ts); others go to the backend's kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { originalKernel } from './originals';
import { canPoolReduce, poolReduce } from './reduce_util';

function mean(args: {
  inputs: { x: TensorInfo };
  attrs: { axis: number | number[]; keepDims: boolean };
}): TensorInfo | TensorInfo[] {
  const { x } = args.inputs;
  const { axis, keepDims } = args.attrs;
  if (!canPoolReduce(x, axis)) return originalKernel('Mean')(args as unknown as Parameters<KernelFunc>[0]);
  return tf.tidy(() => poolReduce(x, axis, keepDims, false));
}

export const meanConfig: KernelConfig = {
  kernelName: 'Mean',
  backendName: 'wasm',
  kernelFunc: mean as unknown as KernelFunc,
};
