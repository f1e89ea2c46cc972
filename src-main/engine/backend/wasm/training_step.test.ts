/**
 * One whole training step (forward in training mode, softmax cross-entropy, gradients of every
 * trainable weight) of the workbench's models on 'wasm' with our kernels against tfjs's 'cpu'.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { stepCases as cases, trainingStep } from './training_step_cases';
import { initWasm, relativeError, runOn } from './test_util';

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
