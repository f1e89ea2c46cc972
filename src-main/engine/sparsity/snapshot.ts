/**
 * Per-layer sparsity snapshots (docs/schema.md), taken on a fixed probe batch after every epoch.
 *
 * - activity: mean |activation| of each channel over the probe batch, relative to the layer's most
 *   active channel (values stored relative, max = 1). The headline structured sparsity uses it.
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
import { tf } from '../tf';
import { addChannelActivity, forEachProbeChunk, type ProbeBatch } from './probe';
import { measureStats, shareBelow } from './stats';

const UNSTRUCTURED_THRESHOLD = 1e-3;

export async function takeSnapshots(
  spec: ModelSpec,
  params: Params,
  probe: ProbeBatch,
  opts: { sparsityThreshold: number; ffr: FfrOptions },
): Promise<LayerSnapshot[]> {
  const n = probe.shape[0];
  const activitySums = new Map<string, Float64Array>();
  const segmentSums = new Map<string, number>();
  const turningSums = new Map<string, number>();
  await forEachProbeChunk(spec, params, probe, async (features, size) => {
    await addChannelActivity(spec, features, activitySums);
    const terms = ffrTerms(spec.taps.map((t) => features.get(t)!), opts.ffr);
    // Segment l arrives at tap l+1; turn l happens at tap l+1.
    for (const [l, s] of terms.segmentLengths.entries()) {
      if (s) segmentSums.set(spec.taps[l + 1]!, (segmentSums.get(spec.taps[l + 1]!) ?? 0) + (await s.data())[0]! * size);
    }
    for (const [l, t] of terms.turningTerms.entries()) {
      if (t) turningSums.set(spec.taps[l + 1]!, (turningSums.get(spec.taps[l + 1]!) ?? 0) + (await t.data())[0]! * size);
    }
  });
  const snapshots: LayerSnapshot[] = [];
  for (const layer of spec.prunable) {
    // Sums over the probe batch; relative values need no division by the element count.
    const activityRaw = Array.from(activitySums.get(layer.layer)!);
    const maxActivity = Math.max(...activityRaw, 0);
    const activity = activityRaw.map((v) => (maxActivity > 0 ? v / maxActivity : 0));
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
      structuredSparsity: activity.filter((a) => a <= opts.sparsityThreshold).length / activity.length,
      gammaSparsity: gamma ? shareBelow(gamma, opts.sparsityThreshold) : null,
      normSparsity: shareBelow(norms, opts.sparsityThreshold),
      unstructuredSparsity: unstructured,
      segmentLength: tap && segmentSums.has(tap) ? segmentSums.get(tap)! / n : null,
      turningAngle: tap && turningSums.has(tap) ? turningSums.get(tap)! / n : null,
      activity: measureStats(activity, [0, 1]),
      gamma: gamma ? measureStats(gamma) : null,
      filterNorm: measureStats(norms),
    });
  }
  return snapshots;
}
