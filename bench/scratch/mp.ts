import '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../src-main/engine/tf';
for (const b of ['cpu', 'wasm']) {
  await tf.setBackend(b);
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const g = tf.grad((v) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 1, 2, 'valid'), tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]))))(x);
  console.log(b, Array.from(g.dataSync()));
  const g2 = tf.grad((v) => tf.sum(tf.maxPool(v as tf.Tensor4D, 3, 2, 'same')))(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10,11,12,13,14,15,16], [1, 4, 4, 1]));
  console.log(b, Array.from(g2.dataSync()));
}
