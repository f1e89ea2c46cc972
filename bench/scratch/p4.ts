import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name: string, f: () => tf.Tensor, n = 9) {
  f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); r.dispose(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b); console.log(name.padEnd(30), ts[Math.floor(n / 2)]!.toFixed(2), 'ms');
}
const x = tf.randomNormal([64, 32, 32, 16]);
time('sum 012', () => tf.sum(x, [0,1,2]));
time('matmul ones', () => tf.matMul(tf.ones([1, 65536]), x.reshape([65536, 16])));
time('mean 12', () => tf.mean(x, [1,2]));
time('bmm ones bcast', () => tf.matMul(tf.ones([1, 1, 1024]), x.reshape([64, 1024, 16])));
time('bmm ones full', () => tf.matMul(tf.ones([64, 1, 1024]), x.reshape([64, 1024, 16])));
const a = tf.matMul(tf.ones([1, 1, 1024]), x.reshape([64, 1024, 16])); console.log(a.shape);
const x2 = tf.randomNormal([64, 8, 8, 64]);
time('mean 12 8x8x64', () => tf.mean(x2, [1,2]));
time('bmm 8x8x64', () => tf.matMul(tf.ones([1, 1, 64]), x2.reshape([64, 64, 64])));
time('sum 012 8x8x64', () => tf.sum(x2, [0,1,2]));
time('mm 8x8x64', () => tf.matMul(tf.ones([1, 4096]), x2.reshape([4096, 64])));
