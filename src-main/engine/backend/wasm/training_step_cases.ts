/**
 * Whole training steps (forward in training mode, softmax cross-entropy — plus, when asked, the
 * default FFR penalty — and the gradients of every trainable weight) of the workbench's models,
 * shared by the wasm, onednn and webgpu step tests.
 */
import type { Tensor } from '@tensorflow/tfjs';

import { defaultRunConfig, type ModelName } from '../../../shared/run-config';
import { buildModelSpec } from '../../../catalog/models/builders';
import { forward } from '../../models/forward';
import { disposeParams, initParams, trainableVariables } from '../../models/init';
import { regularize } from '../../regularizers';
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

/**
 * [loss, ...gradients in trainable-variable order], plus the variable names. `withFfr` adds the
 * default FFR penalty to the loss (the webgpu test checks the workbench's own FFR ops too).
 */
export function trainingStep(c: StepCase, names: string[], o: { withFfr?: boolean } = {}): Tensor[] {
  const classes = 10;
  const spec = buildModelSpec(c.arch, { inputShape: c.inputShape, classes, width: c.width, shortcut: 'A' });
  const config = o.withFfr ? defaultRunConfig({ model: c.arch, dataset: { name: 'synthetic' } }) : null;
  const params = initParams(spec, 42);
  try {
    const x = tf.tensor4d(seeded([c.batch, ...c.inputShape], 9), [c.batch, ...c.inputShape]);
    const labels = tf.oneHot(tf.tensor1d([3, 7, 1].slice(0, c.batch), 'int32'), classes);
    const vars = trainableVariables(params);
    const { value, grads } = tf.variableGrads(() => {
      const { logits, features } = forward(spec, params, x, { training: true });
      const ce = tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      return config ? (tf.add(ce, regularize(config, spec, params, features).penalty) as tf.Scalar) : ce;
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
