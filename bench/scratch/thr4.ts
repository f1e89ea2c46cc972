import { createRequire } from 'node:module';
import fs from 'node:fs'; import os from 'node:os';
const require = createRequire(import.meta.url);
const path = require('node:path');
const main = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
const dir = path.dirname(main);
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
const workerFile = path.join(os.tmpdir(), 'tfjs-wasm-threaded-worker.cjs');
fs.writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
const factory = require(main);
const t0 = Date.now();
const mod = await factory({
  locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : path.join(dir, p)),
  mainScriptUrlOrBlob: main,
}).catch((e: unknown) => { console.log('reject', e); return null; });
console.log('mod', !!mod, Date.now() - t0);
if (mod) {
  mod.cwrap('init_with_threads_count', null, ['number'])(Number(process.argv[2] ?? 2));
  console.log('threads', mod.cwrap('get_threads_count', 'number', [])());
}
process.exit(0);
