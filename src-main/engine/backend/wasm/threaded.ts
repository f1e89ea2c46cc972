/**
 * tfjs-backend-wasm's multi-threaded SIMD binary, under Node.
 *
 * tfjs 4.22 never selects it in Node (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false there, tfjs
 * issue 3830), and forcing the flag fails: the pthread worker script is handed to worker_threads
 * as a blob: URL, which Node cannot load, so initialisation hangs or fails. Working around that
 * takes three steps, done here:
 *  1. write the worker source (exported as a string, with "\n" escapes to restore) to a real file
 *     and point emscripten's locateFile at it;
 *  2. create the module from the threaded factory ourselves and register it as BackendWasm under
 *     the name 'wasm' (so every wasm kernel, ours included, applies);
 *  3. report twice the real core count while the module initialises: the C++ side sizes its pool
 *     as min(requested, logical cores / 2), i.e. one thread on a 2-core machine.
 *
 * Measured with `npm run bench` (rounds of 1 vs 2 threads on 2 cores): 1.2× (ResNet-20) to 1.5×
 * (VGG-11) more images/s, for about a second of start-up (the pthread workers each instantiate the
 * module). Convolutions and XNNPACK elementwise ops use the pool; our JavaScript kernels do not.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import * as wasm from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';

const require = createRequire(import.meta.url);

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: unknown;
}

/** How long the threaded module may take to start before we give up on it (it can hang). */
const START_TIMEOUT_MS = 30_000;

/**
 * Registers the threaded SIMD build as the 'wasm' backend with `threads` pool threads. Call before
 * tf.setBackend('wasm'). Rejects (leaving the default single-threaded registration in place) if the
 * module does not start within START_TIMEOUT_MS.
 */
export async function useThreadedWasm(threads: number): Promise<void> {
  const main = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  // One file per process: concurrent trainers must not race on a shared path.
  const workerFile = path.join(os.tmpdir(), `ffr-tfjs-wasm-worker-${process.pid}.cjs`);
  fs.writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
  process.once('exit', () => fs.rmSync(workerFile, { force: true }));
  const factory = require(main) as (config: object) => Promise<EmscriptenModule>;
  const realCpus = os.cpus;
  (os as { cpus: typeof os.cpus }).cpus = () => [...realCpus(), ...realCpus()];
  let module: EmscriptenModule;
  let timer: NodeJS.Timeout | undefined;
  try {
    module = await Promise.race([
      factory({
        locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : path.join(path.dirname(main), p)),
        mainScriptUrlOrBlob: main,
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the threaded wasm module did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    (os as { cpus: typeof os.cpus }).cpus = realCpus;
  }
  // The same bindings tfjs's own init() sets up for the module.
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
