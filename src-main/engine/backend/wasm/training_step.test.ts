/**
 * One whole training step (forward in training mode, softmax cross-entropy, gradients of every
 * trainable weight) of the workbench's models on 'wasm' with our kernels against tfjs's 'cpu'.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import type { ModelName } from '../../../shared/run-config';
import { buildModelSpec } from '../../../catalog/models/builders';
import { forward } from '../../models/forward';
import { disposeParams, initParams, trainableVariables } from '../../models/init';
import { tf } from '../../tf';
import { initWasm, relativeError, runOn, seeded } from './test_util';

interface StepCase {
  arch: ModelName;
  width: number;
  inputShape: [number, number, number];
  batch: number;
}

const cases: StepCase[] = [
  { arch: 'lenet5', width: 1, inputShape: [28, 28, 1], batch: 3 },
  { arch: 'vgg11', width: 0.25, inputShape: [32, 32, 3], batch: 1 },
  { arch: 'resnet20', width: 0.5, inputShape: [32, 32, 3], batch: 2 },
];

/** [loss, ...gradients in trainable-variable order], plus the variable names. */
function trainingStep(c: StepCase, names: string[]): Tensor[] {
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

describe('training step on wasm matches cpu', () => {
  beforeAll(initWasm);

  for (const c of cases) {
    it(`${c.arch} width ${c.width}, batch ${c.batch}, ${c.inputShape.join('x')}: loss and every gradient within 1e-3`, async () => {
      const cpuNames: string[] = [];
      const wasmNames: string[] = [];
      const expected = await runOn('cpu', () => trainingStep(c, cpuNames));
      const before = tf.memory().numTensors;
      const actual = await runOn('wasm', () => trainingStep(c, wasmNames));
      expect(tf.memory().numTensors).toBe(before);
      expect(actual.length).toBe(expected.length);
      expect(relativeError(actual[0]!.values, expected[0]!.values)).toBeLessThanOrEqual(1e-3);
      const failures: string[] = [];
      for (let i = 1; i < expected.length; i++) {
        expect(actual[i]!.shape).toEqual(expected[i]!.shape);
        const err = relativeError(actual[i]!.values, expected[i]!.values);
        if (!(err <= 1e-3)) failures.push(`${cpuNames[i - 1]}: ${err.toExponential(2)}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
