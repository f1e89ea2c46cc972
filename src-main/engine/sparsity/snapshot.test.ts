import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FFR } from '../../shared/run-config';
import { buildModelSpec } from '../../catalog/models/builders';
import { forward } from '../models/forward';
import { disposeParams, paramsFromValues } from '../models/init';
import { measureImportance } from '../prune/importance';
import { randomWeights } from '../prune/testing';
import { Rng } from '../rng';
import { tf } from '../tf';
import type { ProbeBatch } from './probe';
import { takeSnapshots } from './snapshot';
import { summarizeSparsity } from '../../shared/sparsity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const spec = buildModelSpec('lenet5', { inputShape: [16, 16, 1], classes: 4, width: 1, shortcut: 'A' });
// 100 probe images: two chunks of the probe loop (64 + 36), so the chunk merge is exercised.
const rng = new Rng(4);
const probe: ProbeBatch = { x: Float32Array.from({ length: 100 * 256 }, () => rng.normal()), shape: [100, 16, 16, 1] };

/** conv2 channel 3 made constant (γ = 0, β = 0.7: output relu(0.7)), channel 5 dead (γ = 0, β = −1). */
function weightsWithConstantAndDead() {
  const w = randomWeights(spec, 2);
  w.get('conv2.bn/gamma')!.values[3] = 0;
  w.get('conv2.bn/beta')!.values[3] = 0.7;
  w.get('conv2.bn/gamma')!.values[5] = 0;
  w.get('conv2.bn/beta')!.values[5] = -1;
  return w;
}

async function snapshots(weights: ReturnType<typeof randomWeights>) {
  const params = paramsFromValues(weights);
  try {
    return await takeSnapshots(spec, params, probe, { sparsityThreshold: 1e-2, ffr: DEFAULT_FFR });
  } finally {
    disposeParams(params);
  }
}

describe('sparsity snapshots', () => {
  it('count a constant channel as structurally sparse by spread (the headline), where activity calls it active', async () => {
    const conv2 = (await snapshots(weightsWithConstantAndDead())).find((s) => s.layer === 'conv2')!;
    expect(conv2.structuredMeasure).toBe('spread');
    expect(conv2.spread!.values[3]).toBeLessThan(1e-6);
    expect(conv2.spread!.values[5]).toBe(0);
    expect(conv2.activity.values[3]).toBeGreaterThan(0.1); // relu(0.7) looks active
    expect(conv2.activity.values[5]).toBe(0);
    expect(conv2.structuredSparsity).toBeCloseTo(2 / 16, 10);
    expect(Math.max(...conv2.spread!.values)).toBe(1);
  });

  it('measure spread as the standard deviation over the whole probe batch and all positions', async () => {
    const weights = randomWeights(spec, 2);
    const conv1 = (await snapshots(weights)).find((s) => s.layer === 'conv1')!;
    const params = paramsFromValues(weights);
    try {
      const std = tf.tidy(() => {
        const act = forward(spec, params, tf.tensor4d(probe.x, probe.shape), { training: false }).features.get('conv1.relu')!;
        return Array.from(tf.sqrt(tf.moments(act, [0, 1, 2]).variance).dataSync());
      });
      const max = Math.max(...std);
      std.forEach((s, c) => expect(conv1.spread!.values[c]).toBeCloseTo(s / max, 5));
    } finally {
      disposeParams(params);
    }
  });

  it('summarize the headline over all channels and say which measure it is', async () => {
    const snaps = await snapshots(weightsWithConstantAndDead());
    const s = summarizeSparsity(snaps)!;
    expect(s.measure).toBe('spread');
    const sparse = snaps.reduce((n, l) => n + l.spread!.values.filter((v) => v <= 1e-2).length, 0);
    expect(s.structured).toBeCloseTo(sparse / (6 + 16 + 120 + 84), 10);
    expect(summarizeSparsity([{ channels: 4, structuredSparsity: 0.5, unstructuredSparsity: 0, structuredMeasure: 'activity' }])?.measure).toBe('activity');
  });
});

describe('spread importance', () => {
  it('scores constant and dead channels 0 and reports their means (what pruning folds)', async () => {
    const { scores, means } = await measureImportance(spec, weightsWithConstantAndDead(), 'spread', probe);
    expect(scores.get('conv2')![3]).toBeLessThan(1e-6);
    expect(scores.get('conv2')![5]).toBe(0);
    expect(Math.min(...Array.from(scores.get('conv2')!).filter((_, c) => c !== 3 && c !== 5))).toBeGreaterThan(0);
    expect(means!.get('conv2')![3]).toBeCloseTo(0.7, 5);
    expect(means!.get('conv2')![5]).toBe(0);
  });
});
