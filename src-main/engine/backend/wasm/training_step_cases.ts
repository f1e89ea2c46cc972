/**
 * Whole training steps (forward in training mode, softmax cross-entropy, gradients of every
 * trainable weight) of the workbench's models, shared by the wasm and onednn step tests.
 */
import type { Tensor } from '@tensorflow/tfjs';

import type { ModelName } from '../../../shared/run-config';
import { buildModelSpec } from '../../../catalog/models/builders';
import { forward } from '../../models/forward';
import { disposeParams, initParams, trainableVariables } from '../../models/init';
import { tf } from '../../tf';
import { seeded } from './test_util';

export interface StepCase {
  arch: ModelName;
  width: number;
  inputShape: [number, number, number];
  batch: number;
}

export const stepCases: StepCase[] = [
  { arch: 'lenet5', width: 1, inputShape: [28, 28, 1], batch: 3 },
  { arch: 'vgg11', width: 0.25, inputShape: [32, 32, 3], batch: 1 },
  { arch: 'resnet20', width: 0.5, inputShape: [32, 32, 3], batch: 2 },
];

/** [loss, ...gradients in trainable-variable order], plus the variable names. */
export function trainingStep(c: StepCase, names: string[]): Tensor[] {
  const classes = 10;
  const spec = buildModelSpec(c.arch, { inputShape: c.inputShape, classes, width: c.width, shortcut: 'A' });
  const params = initParams(spec, 42);
  try {
    const x = tf.tensor4d(seeded([c.batch, ...c.inputShape], 9), [c.batch, ...c.inputShape]);
    const labels = tf.oneHot(tf.tensor1d([3, 7, 1].slice(0, c.batch), 'int32'), classes);
    const vars = trainableVariables(params);
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = forward(spec, params, x, { training: true });
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, vars);
    names.length = 0;
    const out: Tensor[] = [value];
    for (const v of vars) {
      names.push(v.name);
      out.push(grads[v.name]!);
    }
    return out;
  } finally {
    disposeParams(params);
  }
}
