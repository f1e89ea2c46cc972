import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name: string, f: () => tf.Tensor, n = 7) {
  f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); r.dispose(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b); console.log(name.padEnd(30), ts[Math.floor(n / 2)]!.toFixed(2), 'ms');
}
for (const [ci, co] of [[16, 32], [256, 512]]) {
  const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  console.log('---', ci, co);
  time('reverse', () => tf.reverse(w, [0, 1]));
  time('gather', () => tf.tidy(() => tf.gather(w.reshape([9, ci * co]), tf.tensor1d([8,7,6,5,4,3,2,1,0], 'int32'), 0)));
  time('slices+concat', () => tf.tidy(() => { const f = w.reshape([9, ci * co]); const parts = []; for (let i = 8; i >= 0; i--) parts.push(tf.slice(f, [i, 0], [1, ci * co])); return tf.concat(parts, 0); }));
  time('transpose last2', () => tf.transpose(w.reshape([9, ci, co]), [0, 2, 1]));
  time('stridedSlice neg', () => tf.stridedSlice(w.reshape([9, ci * co]), [8, 0], [-10, ci * co], [-1, 1]));
}
