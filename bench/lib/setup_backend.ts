/** Puts the process on the requested tfjs backend, with our training kernels for wasm. */
import * as wasm from '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';
import { tf } from '../../src-main/engine/tf';

export type BenchBackend = 'wasm' | 'cpu';

export async function setupBackend(backend: BenchBackend, opts: { trainingKernels?: boolean } = {}): Promise<number> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed to initialise.`);
  if (backend !== 'wasm') return 1;
  if (opts.trainingKernels !== false) registerWasmTrainingKernels();
  return wasm.getThreadsCount();
}
