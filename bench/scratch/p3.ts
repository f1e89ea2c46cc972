import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name: string, f: () => tf.Tensor, n = 7) {
  f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); r.dispose(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b); console.log(name.padEnd(30), ts[Math.floor(n / 2)].toFixed(2), 'ms');
}
const x = tf.randomNormal([64, 32, 32, 16]);
const y = tf.randomNormal([64, 32, 32, 16]);
const c = tf.randomNormal([16]);
const c4 = c.reshape([1,1,1,16]);
time('copy add 0', () => tf.add(x, 0));
time('mul full', () => tf.mul(x, y));
time('mul bcast C', () => tf.mul(x, c));
time('mul bcast 1114', () => tf.mul(x, c4));
time('mul scalar', () => tf.mul(x, tf.scalar(2)));
time('sub bcast', () => tf.sub(x, c));
time('tile', () => tf.tile(c4, [64,32,32,1]));
time('add zeros bcast', () => tf.add(c.reshape([1,16]), tf.zeros([65536,1])));
time('sum 012', () => tf.sum(x, [0,1,2]));
time('sum 3', () => tf.sum(x, [3]));
time('mean 12', () => tf.mean(x, [1,2]));
time('matmul ones', () => tf.matMul(tf.ones([1, 65536]), x.reshape([65536, 16])));
time('transpose', () => tf.transpose(x.reshape([65536,16])));
time('identity', () => tf.clone(x));
time('relu', () => tf.relu(x));
time('step', () => tf.step(x));
time('rsqrt', () => tf.rsqrt(tf.abs(c)));
time('moments', () => tf.moments(x, [0,1,2]).variance);
time('batchnorm', () => tf.batchNorm(x, c, tf.abs(c), c, c, 1e-5));
