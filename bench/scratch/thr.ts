import { tf } from '../../src-main/engine/tf';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
wasm.setThreadsCount(2);
console.log('init...');
const ok = await tf.setBackend('wasm');
console.log('ok', ok, tf.getBackend()); if (!ok) process.exit(1); console.log('threads', wasm.getThreadsCount());
const x = tf.randomNormal([64, 32, 32, 16]) as tf.Tensor4D;
const w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
for (let i = 0; i < 5; i++) { const t0 = performance.now(); tf.conv2d(x, w, 1, 'same').dataSync(); console.log('conv', (performance.now() - t0).toFixed(1)); }
process.exit(0);
