import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name: string, f: () => tf.Tensor, n = 9) {
  f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); r.dispose(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b); console.log(name.padEnd(30), ts[Math.floor(n / 2)]!.toFixed(2), 'ms');
}
for (const [n,h,c] of [[64,32,16],[64,16,32],[64,8,64]]) {
  console.log('---', n, h, c);
  const base = tf.randomNormal([n, h, h, c]) as tf.Tensor4D; const mk = () => tf.add(base, 0) as tf.Tensor4D;
  time('sum 012 fresh', () => tf.tidy(() => tf.sum(mk(), [0,1,2])));
  time('fresh only', () => tf.tidy(() => mk()));
  time('mm ones fresh', () => tf.tidy(() => tf.matMul(tf.ones([1, n*h*h]), mk().reshape([n*h*h, c]))));
  time('avgpool fresh', () => tf.tidy(() => tf.avgPool(mk().reshape([1, n*h, h, c]) as tf.Tensor4D, [n*h, h], 1, 'valid')));
  time('avgpool2 fresh', () => tf.tidy(() => tf.avgPool(mk().reshape([n, h*h, 1, c]) as tf.Tensor4D, [h*h, 1], 1, 'valid')));
  time('mean 12 fresh', () => tf.tidy(() => tf.mean(mk(), [1,2])));
  time('gap avgpool fresh', () => tf.tidy(() => tf.avgPool(mk(), [h, h], 1, 'valid')));
}
