/**
 * Puts the process on the requested tfjs backend: wasm with our training kernels, onednn (wasm plus
 * the oneDNN kernels of src-main/engine/backend/onednn, oneDNN on `threads` threads), cpu, or webgpu
 * (selected as a trainer does it, with our WGSL kernels).
 */
import * as wasm from '@tensorflow/tfjs-backend-wasm';

import { registerOnednnBackend } from '../../src-main/engine/backend/onednn/index';
import { selectBackend } from '../../src-main/engine/backend/select';
import { registerWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';
import { webgpuAdapterInUse, type GpuAdapterSummary } from '../../src-main/engine/backend/webgpu';
import { tf } from '../../src-main/engine/tf';

export type BenchBackend = 'wasm' | 'onednn' | 'cpu' | 'webgpu';

/** webgpu: selected as a trainer does it (Dawn's preferred adapter, our WGSL kernels); returns the adapter. */
export async function setupWebgpu(): Promise<GpuAdapterSummary> {
  await selectBackend('webgpu');
  return webgpuAdapterInUse()!.summary;
}

export async function setupBackend(backend: Exclude<BenchBackend, 'webgpu'>, opts: { trainingKernels?: boolean; threads?: number } = {}): Promise<number> {
  const base = backend === 'onednn' ? 'wasm' : backend;
  if (!(await tf.setBackend(base))) throw new Error(`tfjs backend "${base}" failed to initialise.`);
  if (base !== 'wasm') return 1;
  if (opts.trainingKernels !== false) registerWasmTrainingKernels();
  if (backend === 'onednn') {
    const threads = opts.threads ?? 1;
    registerOnednnBackend(threads);
    if (!(await tf.setBackend('onednn'))) throw new Error('tfjs backend "onednn" failed to initialise.');
    return threads;
  }
  return wasm.getThreadsCount();
}
