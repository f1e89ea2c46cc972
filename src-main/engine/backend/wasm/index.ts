/**
 * Training kernels for tfjs's WASM backend.
 *
 * tfjs-backend-wasm 4.22 is an inference backend: it has no Conv2DBackpropFilter and no depthwise
 * backward kernels, and its Conv2DBackpropInput (and a few other backward kernels) are naive loops.
 * The kernels in this folder fill the gaps by re-expressing each gradient as a forward convolution
 * or other fast XNNPACK-backed ops (see each file). One kernel per file, tfjs style.
 *
 * Registration policy: where the backend already has a kernel of the same name (e.g. its naive
 * Conv2DBackpropInput), ours replaces it — tfjs would otherwise keep the first one registered — and
 * the original is remembered so unregisterWasmTrainingKernels() can put it back (used by the
 * benchmark's before/after profile). Calling registerWasmTrainingKernels() again is a no-op.
 */
import type { KernelConfig } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { avgPoolGradConfig } from './AvgPoolGrad';
import { batchMatMulConfig } from './BatchMatMul';
import { castConfig } from './Cast';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import { ffrBatchNormTrainingConfig } from './FfrBatchNormTraining';
import { ffrBatchNormTrainingGradConfig } from './FfrBatchNormTrainingGrad';
import { identityConfig } from './Identity';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { meanConfig } from './Mean';
import { forgetOriginal, rememberOriginal } from './originals';
import { sumConfig } from './Sum';
import { tileConfig } from './Tile';

export const wasmTrainingKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  tileConfig,
  identityConfig,
  castConfig,
  sumConfig,
  meanConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  batchMatMulConfig,
  // Not tfjs kernels: the fused training batch norm of models/batch_norm.ts dispatches to these.
  ffrBatchNormTrainingConfig,
  ffrBatchNormTrainingGradConfig,
];

/**
 * Registers the training kernels for backend 'wasm'. Idempotent. Call it after
 * `tf.setBackend('wasm')`: the backend binds its own kernels' WASM functions (their setupFunc) when it
 * initializes, only for the kernels registered at that moment, and several of ours delegate to those
 * originals; registered earlier, the originals are never set up ("wasmSum is not a function").
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing === config) continue;
    if (existing) {
      rememberOriginal(existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
}

/** Removes our kernels and restores the backend's originals (for comparisons and tests). */
export function unregisterWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    if (tf.getKernel(config.kernelName, 'wasm') !== config) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    const original = forgetOriginal(config.kernelName);
    if (original) tf.registerKernel(original);
  }
}
