/**
 * Puts the process on the requested tfjs backend: wasm with our training kernels, onednn (wasm plus
 * the oneDNN kernels of src-main/engine/backend/onednn, oneDNN on `threads` threads) or cpu.
 */
import * as wasm from '@tensorflow/tfjs-backend-wasm';

import { registerOnednnBackend } from '../../src-main/engine/backend/onednn/index';
import { registerWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';
import { tf } from '../../src-main/engine/tf';

export type BenchBackend = 'wasm' | 'onednn' | 'cpu';

export async function setupBackend(backend: BenchBackend, opts: { trainingKernels?: boolean; threads?: number } = {}): Promise<number> {
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
