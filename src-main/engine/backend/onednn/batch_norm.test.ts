/** The fused training batch norm on oneDNN against tf.moments + tf.batchNorm on cpu (models/batch_norm_cases.ts). */
import { beforeAll, expect, it } from 'vitest';

import { FFR_BATCH_NORM_TRAINING, FFR_BATCH_NORM_TRAINING_GRAD, trainingBatchNorm } from '../../models/batch_norm';
import { cases, expectAllClose, fused, inputs, reference } from '../../models/batch_norm_cases';
import { tf } from '../../tf';
import { expectNoLeak, runOn } from '../wasm/test_util';
import { batchNormKernels } from './batch_norm';
import { describeOnednn, initOnednn } from './test_util';

describeOnednn('onednn FfrBatchNormTraining / FfrBatchNormTrainingGrad', () => {
  beforeAll(initOnednn);

  it('are registered for onednn', () => {
    expect(tf.getKernel(FFR_BATCH_NORM_TRAINING, 'onednn')).toBe(batchNormKernels[0]);
    expect(tf.getKernel(FFR_BATCH_NORM_TRAINING_GRAD, 'onednn')).toBe(batchNormKernels[1]);
  });

  for (const c of cases) {
    it(`${c.name}: oneDNN kernels match tf.moments + tf.batchNorm on cpu`, async () => {
      const expected = await runOn('cpu', () => reference(c));
      const actual = await runOn('onednn', () => fused(c));
      expectAllClose(c, actual, expected);
    });
  }

  it('runs one kernel each way', async () => {
    const { kernelNames } = await tf.profile(() => {
      tf.dispose(fused(cases[0]!));
      return [];
    });
    expect(kernelNames).toContain(FFR_BATCH_NORM_TRAINING);
    expect(kernelNames).toContain(FFR_BATCH_NORM_TRAINING_GRAD);
    expect(kernelNames).not.toContain('Mean');
  });

  it('leaks no tensors', () => {
    const { x, gamma, beta, r } = inputs(cases[0]!);
    expectNoLeak(() => {
      const { y, mean, variance } = trainingBatchNorm(x as tf.Tensor4D, gamma, beta, 1e-3);
      const g = tf.grads((xv: tf.Tensor, gv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(trainingBatchNorm(xv as tf.Tensor4D, gv, bv, 1e-3).y, r)))([x, gamma, beta]);
      return [y, mean, variance, ...g];
    });
    tf.dispose([x, gamma, beta, r]);
  });
});
