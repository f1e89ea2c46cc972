/**
 * Cast for the WASM backend: a cast to the tensor's own dtype shares the buffer instead of copying
 * it (tfjs's cpu backend does the same); real conversions go to the backend's kernel.
 */
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

import { shareData, type RefCountingBackend } from './Identity';
import { originalKernel } from './originals';

function cast(args: {
  inputs: { x: TensorInfo };
  backend: RefCountingBackend;
  attrs: { dtype: DataType };
}): TensorInfo | TensorInfo[] {
  const { x } = args.inputs;
  if (x.dtype === args.attrs.dtype) return shareData(x, args.backend);
  return originalKernel('Cast')(args as unknown as Parameters<KernelFunc>[0]);
}

export const castConfig: KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelFunc,
};
