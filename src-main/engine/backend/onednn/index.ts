/**
 * The `onednn` backend: tfjs's wasm backend with its hot training kernels re-registered on oneDNN
 * through the ffr_onednn Node-API addon (native/onednn), zero-copy on the wasm heap.
 *
 * It is registered with tfjs as a backend of its own name whose instance *is* the initialized
 * wasm backend (one heap, one tensor table: tensors made on 'wasm' are used on 'onednn' without a
 * move), with every wasm kernel copied under 'onednn' — tfjs's own and the workbench's training
 * kernels (backend/wasm) — and then the oneDNN ones (conv.ts, pool.ts, batch_norm.ts, matmul.ts)
 * in place of theirs. Everything not listed there (elementwise ops, reductions, softmax …) runs on
 * the wasm kernels. One instance under two names has one consequence: never tf.removeBackend one
 * of them while the other is in use (it disposes the shared instance).
 */
import type { KernelConfig } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { loadOnednnAddon } from './addon';
import { batchNormKernels } from './batch_norm';
import { convKernels } from './conv';
import { matMulKernels } from './matmul';
import { poolKernels } from './pool';

export const ONEDNN_BACKEND = 'onednn';

export const onednnKernels: readonly KernelConfig[] = [...convKernels, ...poolKernels, ...batchNormKernels, ...matMulKernels];

function register(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, ONEDNN_BACKEND) === config) return;
  if (tf.getKernel(config.kernelName, ONEDNN_BACKEND)) tf.unregisterKernel(config.kernelName, ONEDNN_BACKEND);
  tf.registerKernel(config);
}

/**
 * Registers backend 'onednn' with oneDNN running on `threads` threads. Call after the wasm backend
 * is initialized (tf.setBackend('wasm')) and its training kernels are registered; then
 * tf.setBackend('onednn'). Throws the addon's reason when it is unavailable. Idempotent.
 */
export function registerOnednnBackend(threads: number): void {
  const { addon, reason } = loadOnednnAddon();
  if (!addon) throw new Error(reason);
  if (!tf.engine().registry.wasm) throw new Error('The wasm backend must be initialized before the onednn backend is registered.');
  addon.setThreads(threads);
  if (!tf.findBackendFactory(ONEDNN_BACKEND)) {
    // Priority 0: tfjs's own automatic choice never lands here; the workbench selects it by name.
    tf.registerBackend(ONEDNN_BACKEND, () => tf.engine().registry.wasm!, 0);
  }
  const ours = new Set(onednnKernels.map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('wasm')) {
    if (!ours.has(k.kernelName) && tf.getKernel(k.kernelName, ONEDNN_BACKEND)?.kernelFunc !== k.kernelFunc) {
      register({ ...k, backendName: ONEDNN_BACKEND });
    }
  }
  for (const k of onednnKernels) register(k);
}

/** oneDNN's version, threading runtime, instruction set and thread count (for `ffr info` and runs). */
export function onednnInfo(): ReturnType<NonNullable<ReturnType<typeof loadOnednnAddon>['addon']>['info']> | undefined {
  return loadOnednnAddon().addon?.info();
}
