/**
 * Per-layer sparsity snapshots (docs/schema.md), taken on a fixed probe batch after every epoch.
 *
 * - spread: standard deviation of each channel's output over the probe batch and positions, relative
 *   to the layer's largest (values stored relative, max = 1). The headline structured sparsity uses
 *   it: a channel whose output is constant — dead, or γ≈0 leaving relu(β) — is prunable (its constant
 *   folds into the next layer's bias), whatever its mean.
 * - activity: mean |activation| of each channel over the probe batch, relative to the layer's most
 *   active channel (values stored relative, max = 1). The headline before spread existed.
 * - gamma: |γ| of the layer's batch norm (raw values), where it has one.
 * - filterNorm: L2 norm of each output filter (raw values); meaningless under BN, kept for plain layers.
 * - unstructured: share of kernel weights with |w| ≤ 1e-3 · max |w|.
 * - segmentLength / turningAngle: the layer's FFR contribution on the probe batch: the increment
 *   arriving at its tap and the turn the trajectory makes there.
 */
import type { FfrOptions } from '../../shared/run-config';
import type { LayerSnapshot } from '../../shared/metrics';
import { requireParam, type Params } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { ffrTerms } from '../regularizers/ffr';
import { cachedFlowPlan } from '../../catalog/models/flow-plan';
import { tf } from '../tf';
import { addChannelMoments, channelSpread, forEachProbeChunk, type ChannelMoments, type ProbeBatch } from './probe';
import { measureStats, shareBelow } from './stats';

const UNSTRUCTURED_THRESHOLD = 1e-3;

export async function takeSnapshots(
  spec: ModelSpec,
  params: Params,
  probe: ProbeBatch,
  opts: { sparsityThreshold: number; ffr: FfrOptions },
): Promise<LayerSnapshot[]> {
  const n = probe.shape[0];
  const moments = new Map<string, ChannelMoments>();
  const segmentSums = new Map<string, number>();
  const turningSums = new Map<string, number>();
  const plan = cachedFlowPlan(spec, opts.ffr.align);
  await forEachProbeChunk(spec, params, probe, async (features, size) => {
    await addChannelMoments(spec, features, moments);
    const terms = ffrTerms(plan.taps.map((t) => features.get(t)!), opts.ffr, plan.segments);
    // A segment arrives at its `to` tap; the turn between segments i−1 and i happens at segment i's `from` tap.
    const add = async (sums: Map<string, number>, tap: string, value: tf.Scalar) => {
      sums.set(tap, (sums.get(tap) ?? 0) + (await value.data())[0]! * size);
    };
    for (const [i, s] of terms.segmentLengths.entries()) if (s) await add(segmentSums, plan.taps[plan.segments[i]!.to]!, s);
    for (const [i, t] of terms.turningTerms.entries()) if (t) await add(turningSums, plan.taps[plan.segments[i + 1]!.from]!, t);
  });
  const relative = (raw: ArrayLike<number>): number[] => {
    const max = Math.max(0, ...Array.from(raw));
    return Array.from(raw, (v) => (max > 0 ? v / max : 0));
  };
  const snapshots: LayerSnapshot[] = [];
  for (const layer of spec.prunable) {
    const m = moments.get(layer.layer)!;
    // Sums over the probe batch; relative values need no division by the element count.
    const activity = relative(m.absSum);
    const spread = relative(channelSpread(m));
    const kernel = requireParam(params, `${layer.layer}/kernel`);
    const normsTensor = tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.reshape(kernel, [-1, kernel.shape[kernel.rank - 1]!])), 0)));
    const norms = Array.from(await normsTensor.data());
    normsTensor.dispose();
    const unstructured = shareBelow(await kernel.data(), UNSTRUCTURED_THRESHOLD);
    const gamma = layer.bn ? Array.from(await requireParam(params, `${layer.bn}/gamma`).data(), Math.abs) : null;
    const tap = layer.tap;
    snapshots.push({
      layer: layer.layer,
      kind: layer.kind,
      channels: activity.length,
      structuredSparsity: spread.filter((a) => a <= opts.sparsityThreshold).length / spread.length,
      structuredMeasure: 'spread',
      gammaSparsity: gamma ? shareBelow(gamma, opts.sparsityThreshold) : null,
      normSparsity: shareBelow(norms, opts.sparsityThreshold),
      unstructuredSparsity: unstructured,
      segmentLength: tap && segmentSums.has(tap) ? segmentSums.get(tap)! / n : null,
      turningAngle: tap && turningSums.has(tap) ? turningSums.get(tap)! / n : null,
      activity: measureStats(activity, [0, 1]),
      spread: measureStats(spread, [0, 1]),
      gamma: gamma ? measureStats(gamma) : null,
      filterNorm: measureStats(norms),
    });
  }
  return snapshots;
}
