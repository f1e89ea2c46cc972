/** Puts the process on the requested tfjs backend, with our training kernels for wasm and webgpu. */
import * as wasm from '@tensorflow/tfjs-backend-wasm';

import { selectBackend } from '../../src-main/engine/backend/select';
import { registerWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';
import { webgpuAdapterInUse, type GpuAdapterSummary } from '../../src-main/engine/backend/webgpu';
import { tf } from '../../src-main/engine/tf';

export type BenchBackend = 'wasm' | 'cpu' | 'webgpu';

/** webgpu: selected as a trainer does it (Dawn's preferred adapter, our WGSL kernels); returns the adapter. */
export async function setupWebgpu(): Promise<GpuAdapterSummary> {
  await selectBackend('webgpu');
  return webgpuAdapterInUse()!.summary;
}

export async function setupBackend(backend: Exclude<BenchBackend, 'webgpu'>, opts: { trainingKernels?: boolean } = {}): Promise<number> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed to initialise.`);
  if (backend !== 'wasm') return 1;
  if (opts.trainingKernels !== false) registerWasmTrainingKernels();
  return wasm.getThreadsCount();
}
