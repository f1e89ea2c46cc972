import { tf } from '../../src-main/engine/tf';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
wasm.setThreadsCount(2);
const origWarn = console.warn;
console.warn = (...a: unknown[]) => origWarn('WARN', ...a.map((x) => (x instanceof Error ? x.stack : typeof x === 'object' ? JSON.stringify(x) : String(x)).slice(0, 500)));
try {
  const b = await tf.findBackend('wasm');
  console.log('b', !!b);
} catch (e) { console.log('err', e); }
const ok = await tf.setBackend('wasm');
console.log('ok', ok);
process.exit(0);
