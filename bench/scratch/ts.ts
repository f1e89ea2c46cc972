import '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../src-main/engine/tf';
import { registerWasmTrainingKernels } from '../../src-main/engine/backend/wasm/index';
import { installKernelTimer } from '../lib/kernel_timer';
import { buildModelSpec } from '../../src-main/engine/models/builders';
import { forward } from '../../src-main/engine/models/forward';
import { initParams, trainableVariables } from '../../src-main/engine/models/init';
await tf.setBackend('wasm'); registerWasmTrainingKernels();
for (const b of ['cpu', 'wasm']) {
  await tf.setBackend(b);
  const timer = installKernelTimer(b);
  const spec = buildModelSpec('vgg11', { inputShape: [32, 32, 3], classes: 10, width: 0.25, shortcut: 'A' });
  const t0 = performance.now();
  const params = initParams(spec, 42);
  const t1 = performance.now();
  const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, forward(spec, params, x, { training: true }).logits) as tf.Scalar, trainableVariables(params));
  value.dataSync();
  console.log(b, 'init', (t1 - t0).toFixed(0), 'step', (performance.now() - t1).toFixed(0));
  for (const k of timer.stats().slice(0, 6)) console.log('  ', k.name, k.calls, k.selfMs.toFixed(0));
  timer.uninstall();
}
