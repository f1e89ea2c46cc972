/**
 * Whole training steps of LeNet-5, VGG-11 ×0.25 and ResNet-20 ×0.5 on 'onednn' against tfjs's
 * 'cpu' backend: the loss and every weight gradient within 1e-3, no tensor left behind, and the
 * oneDNN kernels actually in the step (not silently the wasm ones).
 */
import { beforeAll, expect, it } from 'vitest';

import { tf } from '../../tf';
import { stepCases, trainingStep } from '../wasm/training_step_cases';
import { relativeError, runOn } from '../wasm/test_util';
import { loadOnednnAddon } from './addon';
import { describeOnednn, initOnednn } from './test_util';

describeOnednn('training step on onednn matches cpu', () => {
  beforeAll(initOnednn);

  for (const c of stepCases) {
    it(`${c.arch} width ${c.width}, batch ${c.batch}, ${c.inputShape.join('x')}: loss and every gradient within 1e-3`, async () => {
      const names: string[] = [];
      const expected = await runOn('cpu', () => trainingStep(c, names));
      const before = tf.memory().numTensors;
      const cachedBefore = loadOnednnAddon().addon!.info().cachedPrimitives;
      const actual = await runOn('onednn', () => trainingStep(c, names));
      expect(tf.memory().numTensors).toBe(before);
      // New shapes, new oneDNN primitives: the step ran on the addon.
      expect(loadOnednnAddon().addon!.info().cachedPrimitives).toBeGreaterThan(cachedBefore);
      expect(relativeError(actual[0]!.values, expected[0]!.values)).toBeLessThanOrEqual(1e-3);
      const failures: string[] = [];
      for (let i = 1; i < expected.length; i++) {
        expect(actual[i]!.shape).toEqual(expected[i]!.shape);
        const err = relativeError(actual[i]!.values, expected[i]!.values);
        if (!(err <= 1e-3)) failures.push(`${names[i - 1]}: ${err.toExponential(2)}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
