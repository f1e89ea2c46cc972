import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
const path = require('node:path');
const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'));
console.log(typeof factory, dir);
const t0 = Date.now();
const mod = await (factory.default ?? factory)({
  locateFile: (p: string, prefix: string) => { console.log('locate', p, prefix); return path.join(dir, p); },
  onAbort: (w: unknown) => console.log('abort', w),
}).catch((e: unknown) => { console.log('reject', e); return null; });
console.log('mod', !!mod, Date.now() - t0);
if (mod) {
  const init = mod.cwrap('init_with_threads_count', null, ['number']);
  init(2);
  console.log('threads', mod.cwrap('get_threads_count', 'number', [])());
}
process.exit(0);
