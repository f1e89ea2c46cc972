import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';
await tf.setBackend('wasm');
function time(name: string, f: () => tf.Tensor, n = 5) {
  f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); r.dataSync(); r.dispose(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b); console.log(name, ts[Math.floor(n / 2)].toFixed(1), 'ms');
}
for (const [h, ci, co, s] of [[32, 16, 16, 1], [32, 16, 32, 2], [16, 32, 32, 1], [8, 64, 64, 1], [32,3,16,1], [32,64,64,1]]) {
  const x = tf.randomNormal([64, h, h, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  console.log(`--- ${h}x${h}x${ci}->${co} s${s}`);
  time('fwd', () => tf.conv2d(x, w, s, 'same'));
  registerWasmTrainingKernels();
  time('dW', () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor);
  time('dx', () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor);
  unregisterWasmTrainingKernels();
  time('dx naive', () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor, 2);
  time('transpose x', () => tf.transpose(x, [3,1,2,0]));
}
