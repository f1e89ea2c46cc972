/**
 * One SGD training step of a workbench model (forward, softmax cross-entropy, gradients of every
 * trainable weight, update), as the trainer runs it; used by the benchmark and the profile.
 */
import { buildModelSpec } from '../../src-main/catalog/models/builders';
import { forward } from '../../src-main/engine/models/forward';
import { disposeParams, initParams, trainableVariables } from '../../src-main/engine/models/init';
import { tf } from '../../src-main/engine/tf';

export type BenchArch = 'lenet5' | 'resnet20' | 'vgg11';

export const INPUT_SHAPES: Record<BenchArch, [number, number, number]> = {
  lenet5: [28, 28, 1],
  resnet20: [32, 32, 3],
  vgg11: [32, 32, 3],
};

export interface TrainStep {
  /** Runs one step and waits for its loss (a synchronous read: wasm and cpu). */
  step(): number;
  /** The same step with the loss read asynchronously (webgpu, which cannot read synchronously in Node). */
  stepAsync(): Promise<number>;
  dispose(): void;
}

export function makeTrainStep(arch: BenchArch, batch: number, classes = 10, lr = 0.01): TrainStep {
  const inputShape = INPUT_SHAPES[arch];
  const spec = buildModelSpec(arch, { inputShape, classes, width: 1, shortcut: 'A' });
  const params = initParams(spec, 1);
  const vars = trainableVariables(params);
  const x = tf.randomNormal([batch, ...inputShape], 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 8) as tf.Tensor1D, classes);
  const update = (): tf.Scalar =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = forward(spec, params, x, { training: true });
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr)));
      return value;
    });
  return {
    step() {
      const loss = update();
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    },
    async stepAsync() {
      const loss = update();
      const value = (await loss.data())[0]!;
      loss.dispose();
      return value;
    },
    dispose() {
      disposeParams(params);
      tf.dispose([x, labels]);
    },
  };
}
