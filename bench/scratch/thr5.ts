import { createRequire } from 'node:module';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { tf } from '../../src-main/engine/tf';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';
import { makeTrainStep } from '../lib/train_step';
const require = createRequire(import.meta.url);
const mode = process.argv[2] ?? 'st';
const threads = Number(process.argv[3] ?? 2);
if (mode === 'mt') {
  const main = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  const workerFile = path.join(os.tmpdir(), 'tfjs-wasm-threaded-worker.cjs');
  fs.writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
  const realCpus = os.cpus;
  (os as { cpus: typeof os.cpus }).cpus = () => [...realCpus(), ...realCpus()];
  const t0 = Date.now();
  const module = await require(main)({ locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : path.join(path.dirname(main), p)), mainScriptUrlOrBlob: main });
  (os as { cpus: typeof os.cpus }).cpus = realCpus;
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  tf.removeBackend('wasm');
  wasmBackend.setThreadsCount(threads);
  tf.registerBackend('wasm', () => new wasmBackend.BackendWasm(module), 2);
  console.log('module load ms', Date.now() - t0);
}
await tf.setBackend('wasm');
console.log('backend', tf.getBackend(), 'threads', wasmBackend.getThreadsCount());
registerWasmTrainingKernels();
const x = tf.randomNormal([64, 32, 32, 16]) as tf.Tensor4D;
const w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
const med = (f: () => void, n = 7) => { f(); const ts = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[n >> 1]!.toFixed(1); };
console.log('conv fwd ms', med(() => tf.conv2d(x, w, 1, 'same').dispose()));
console.log('add ms', med(() => tf.add(x, x).dispose()));
const s = makeTrainStep('resnet20', 64);
console.log('resnet20 step ms', med(() => s.step(), 3));
process.exit(0);
