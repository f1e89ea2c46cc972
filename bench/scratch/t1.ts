import { tf } from '../../src-main/engine/tf';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';

async function run(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = fn();
  const r = outs.map((t) => t.dataSync() as Float32Array);
  outs.forEach((t) => t.dispose());
  return r;
}
function rel(a: Float32Array, b: Float32Array) { let m = 0, s = 0; for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i]-b[i])); s = Math.max(s, Math.abs(b[i])); } return m / Math.max(s, 1e-12); }
registerWasmTrainingKernels();
const cases: [number[], number[], number, any][] = [
  [[2,9,11,5],[3,3,5,4],1,'same'],[[2,9,11,5],[3,3,5,4],2,'same'],[[2,9,11,5],[3,3,5,4],2,'valid'],[[1,8,8,3],[5,5,3,2],2,2],[[3,7,7,4],[1,1,4,6],2,'valid'],[[3,7,7,4],[1,1,4,6],1,3]];
for (const [xs, ws, s, p] of cases) {
  const mk = () => {
    const x = tf.randomNormal(xs, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal(ws, 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.conv2d(x, w, s, p);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
    const dw = tf.conv2dTranspose; // placeholder
    const f = tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides: s, pad: p, dataFormat: 'NHWC', filterShape: ws}) as tf.Tensor;
    const i = tf.engine().runKernel('Conv2DBackpropInput', {dy, filter: w}, {strides: s, pad: p, dataFormat: 'NHWC', inputShape: xs}) as tf.Tensor;
    return [y, f, i];
  };
  const c = await run('cpu', mk);
  const before = tf.memory().numTensors;
  const w = await run('wasm', mk);
  console.log(xs, ws, s, p, 'y', rel(w[0], c[0]).toExponential(2), 'dW', rel(w[1], c[1]).toExponential(2), 'dx', rel(w[2], c[2]).toExponential(2), 'leak', tf.memory().numTensors - before);
}
