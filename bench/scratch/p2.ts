import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name: string, f: () => tf.Tensor, n = 5) {
  f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); r.dispose(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b); console.log(name, ts[Math.floor(n / 2)].toFixed(1), 'ms');
}
const x = tf.randomNormal([64, 32, 32, 64]) as tf.Tensor4D;
time('T4 3120', () => tf.transpose(x, [3,1,2,0]));
const x3 = x.reshape([64, 1024, 64]);
time('T3 210', () => tf.transpose(x3, [2,1,0]));
time('T3 102', () => tf.transpose(x3, [1,0,2]));
const x2 = x.reshape([64*1024, 64]);
time('T2 10', () => tf.transpose(x2, [1,0]));
time('T4 1203', () => tf.transpose(x, [1,2,0,3]));
const xT = tf.transpose(x, [3,1,2,0]) as tf.Tensor4D; const dyT = tf.transpose(x, [1,2,0,3]) as tf.Tensor4D;
time('conv', () => tf.engine().runKernel('Conv2D', {x: xT, filter: dyT}, {strides: [1,1], dilations: [1,1], pad: [[0,0],[1,1],[1,1],[0,0]], dataFormat: 'NHWC'}) as tf.Tensor);
// matmul variant: for one tap, [Ci, NHW] x [NHW, Co]
const a = tf.randomNormal([64, 65536]); const b = tf.randomNormal([65536, 64]);
time('matmul 64x65536x64', () => tf.matMul(a, b));
time('matmul tA', () => tf.matMul(x2, b, true, false));
time('copy', () => tf.add(x, 0));
time('pad', () => tf.pad(x, [[0,0],[1,1],[1,1],[0,0]]));
time('slice', () => tf.slice(x, [0,1,1,0], [64,30,30,64]));
