/**
 * Identity for the WASM backend without the copy.
 *
 * The backend's Identity copies the whole buffer; backpropagation calls it hundreds of times per
 * step (gradient pass-through, tf.grad's seed, clones). Tensor data is immutable, so sharing the
 * buffer with a reference count — what the backend's own Reshape and tfjs's cpu Identity do — is
 * exact and free.
 */
import type { DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export interface RefCountingBackend {
  incRef(dataId: DataId): void;
}

export function shareData(x: TensorInfo, backend: RefCountingBackend): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity({ inputs, backend }: { inputs: { x: TensorInfo }; backend: RefCountingBackend }): TensorInfo {
  return shareData(inputs.x, backend);
}

export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
