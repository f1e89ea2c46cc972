/**
 * Experiment (not used by the engine): tfjs-backend-wasm's multi-threaded SIMD binary under Node.
 *
 * tfjs 4.22 never selects it in Node (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false there, tfjs
 * issue 3830), and forcing the flag fails: the pthread worker script is handed to worker_threads
 * as a blob: URL, which Node cannot load, so initialisation hangs or fails. Working around that
 * takes three steps, done here:
 *  1. write the worker source (exported as a string, with "\n" escapes to restore) to a real file
 *     and point emscripten's locateFile at it;
 *  2. create the module from the threaded factory ourselves and wrap it in BackendWasm under the
 *     name 'wasm' (so all wasm kernels, ours included, apply);
 *  3. report twice the real core count while the module initialises: the C++ side sizes its pool
 *     as min(requested, logical cores / 2), i.e. one thread on a 2-core machine.
 * See bench/threads.ts for the measurement and src-main/engine/backend/wasm/README.md for the result.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import * as wasm from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../src-main/engine/tf';

const require = createRequire(import.meta.url);

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: unknown;
}

export async function useThreadedWasm(threads: number): Promise<void> {
  const main = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  const workerFile = path.join(os.tmpdir(), `ffr-tfjs-wasm-worker-${process.pid}.cjs`);
  fs.writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
  const factory = require(main) as (config: object) => Promise<EmscriptenModule>;
  const realCpus = os.cpus;
  (os as { cpus: typeof os.cpus }).cpus = () => [...realCpus(), ...realCpus()];
  let module: EmscriptenModule;
  try {
    module = await factory({
      locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : path.join(path.dirname(main), p)),
      mainScriptUrlOrBlob: main,
    });
  } finally {
    (os as { cpus: typeof os.cpus }).cpus = realCpus;
  }
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  tf.removeBackend('wasm');
  wasm.setThreadsCount(threads);
  const Backend = wasm.BackendWasm as unknown as new (m: EmscriptenModule) => tf.KernelBackend;
  tf.registerBackend('wasm', () => new Backend(module), 2);
}
