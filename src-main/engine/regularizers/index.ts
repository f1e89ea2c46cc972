/**
 * The regularizer term of the training loss, chosen by the run config. FFR terms are computed for
 * every run (unweighted), so baselines and FFR runs can be compared on the same curves.
 */
import { measuredFfr, type RunConfig } from '../../shared/run-config';
import type { Params } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { tf, type Tensor } from '../tf';
import { groupLassoPenalty, l1Penalty, slimmingPenalty } from './baselines';
import { ffrTerms } from './ffr';
import { cachedFlowPlan } from '../../catalog/models/flow-plan';

export interface RegularizerResult {
  /** Weighted term added to the loss. */
  penalty: tf.Scalar;
  /** Unweighted FFR length and curvature of this batch. */
  length: tf.Scalar;
  curvature: tf.Scalar;
}

export function regularize(
  config: RunConfig,
  spec: ModelSpec,
  params: Params,
  features: Map<string, Tensor>,
): RegularizerResult {
  const measured = measuredFfr(config);
  const plan = cachedFlowPlan(spec, measured.align);
  const taps = plan.taps.map((name) => {
    const t = features.get(name);
    if (!t) throw new Error(`FFR tap "${name}" was not computed by the forward pass.`);
    return t;
  });
  const { length, curvature } = ffrTerms(taps, measured, plan.segments);
  let penalty: tf.Scalar;
  switch (config.regularizer) {
    case 'ffr':
      penalty = tf.add(tf.mul(length, config.ffr.lambdaLength), tf.mul(curvature, config.ffr.lambdaCurvature));
      break;
    case 'l1':
      penalty = tf.mul(l1Penalty(spec, params), config.lambda);
      break;
    case 'group-lasso':
      penalty = tf.mul(groupLassoPenalty(spec, params, config.groupLassoGroup), config.lambda);
      break;
    case 'slimming':
      penalty = tf.mul(slimmingPenalty(spec, params), config.lambda);
      break;
    case 'none':
      penalty = tf.scalar(0);
      break;
  }
  return { penalty, length, curvature };
}
