/**
 * One whole training step (forward in training mode with FFR, softmax cross-entropy, gradients of
 * every trainable weight) of the workbench's models on 'webgpu' against tfjs's 'cpu'.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../tf';
import { stepCases as cases, trainingStep } from '../wasm/training_step_cases';
import { initWebgpu, relativeError, runOn, webgpuSkipReason } from './test_util';

const skip = await webgpuSkipReason();

describe.skipIf(skip !== null)(`training step on webgpu matches cpu${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(initWebgpu);

  for (const c of cases) {
    it(`${c.arch} width ${c.width}, batch ${c.batch}, ${c.inputShape.join('x')}: loss and every gradient within 1e-3`, async () => {
      const cpuNames: string[] = [];
      const gpuNames: string[] = [];
      const expected = await runOn('cpu', () => trainingStep(c, cpuNames, { withFfr: true }));
      const before = tf.memory().numTensors;
      const actual = await runOn('webgpu', () => trainingStep(c, gpuNames, { withFfr: true }));
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
