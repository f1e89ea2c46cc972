import '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../src-main/engine/tf';
import { seeded } from '../../src-main/engine/backend/wasm/test_util';
for (const b of ['cpu', 'wasm']) {
  await tf.setBackend(b);
  const x = tf.tensor4d(seeded([1, 5, 5, 2], 21), [1, 5, 5, 2]);
  const y = tf.maxPool(x, 1, 2, 'valid');
  const dy = tf.tensor(seeded(y.shape, 22), y.shape);
  const g = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 1, strides: 2, pad: 'valid' }) as tf.Tensor;
  console.log(b, Array.from(g.dataSync()).map((v) => v.toFixed(2)).join(' '));
  console.log(b, 'dy', Array.from(dy.dataSync()).map((v) => v.toFixed(2)).join(' '));
}
