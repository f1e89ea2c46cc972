import { beforeAll, describe, expect, it } from 'vitest';
import { buildModelSpec } from '../../catalog/models/builders';
import { totalCost } from '../../catalog/models/spec';
import { channelImportance, type LayerScores } from './importance';
import { sweepPoints } from './sweep';
import { randomWeights } from './testing';

describe('sensitivity sweep', () => {
  const spec = buildModelSpec('vgg11', { inputShape: [32, 32, 3], classes: 10, width: 0.125, shortcut: 'A' });
  const weights = randomWeights(spec, 3);
  let scores: LayerScores;
  beforeAll(async () => {
    scores = await channelImportance(spec, weights, 'l2');
  });

  it('is monotone in params and MACs over thresholds (given in any order)', async () => {
    const points = await sweepPoints(spec, weights, scores, { criterion: 'l2', scope: 'layer', aggregate: 'max', minChannels: 1, thresholds: [0.9, 0, 0.5, 0.7, 0.3], valLimit: 10 }, async () => 0.5);
    expect(points.map((p) => p.threshold)).toEqual([0, 0.3, 0.5, 0.7, 0.9]);
    expect(points[0]!.params).toBe(totalCost(spec).params);
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.params).toBeLessThanOrEqual(points[i - 1]!.params);
      expect(points[i]!.macs).toBeLessThanOrEqual(points[i - 1]!.macs);
    }
    expect(points[points.length - 1]!.params).toBeLessThan(points[0]!.params);
  });

  it('is monotone in params over ratios, global scope', async () => {
    const points = await sweepPoints(spec, weights, scores, { criterion: 'l2', scope: 'global', aggregate: 'max', minChannels: 1, ratios: [0.1, 0.5, 0.3, 0.8], valLimit: 10 }, async () => 0.5);
    for (let i = 1; i < points.length; i++) expect(points[i]!.params).toBeLessThanOrEqual(points[i - 1]!.params);
  });
});
