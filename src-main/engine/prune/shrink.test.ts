import { beforeAll, describe, expect, it } from 'vitest';
import { buildModelSpec, type BuildOptions } from '../../catalog/models/builders';
import { forward } from '../models/forward';
import { disposeParams, paramsFromValues } from '../models/init';
import { totalCost, type ModelSpec } from '../../catalog/models/spec';
import { Rng } from '../rng';
import { tf } from '../tf';
import type { NamedValues } from '../train/checkpoint';
import type { ModelName } from '../../shared/run-config';
import type { SelectionOptions } from '../../shared/prune-types';
import { buildGroups } from './groups';
import { channelImportance, measureImportance, type LayerScores } from './importance';
import { planPrune } from './plan';
import { sizeReport } from './report';
import { PruneInputError, selectGroups } from './select';
import { shrinkModel } from './shrink';
import { maskedWeights, randomWeights } from './testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function logits(spec: ModelSpec, weights: NamedValues, x: Float32Array, n: number): Float32Array {
  const params = paramsFromValues(weights);
  try {
    return tf.tidy(() => forward(spec, params, tf.tensor4d(x, [n, ...spec.inputShape]), { training: false }).logits.dataSync() as Float32Array);
  } finally {
    disposeParams(params);
  }
}

function randomInput(spec: ModelSpec, n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * spec.inputShape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Scores where all members of a group share one random value, so residual groups get removed too. */
function groupScores(spec: ModelSpec, seed: number): LayerScores {
  const graph = buildGroups(spec);
  const rng = new Rng(seed);
  const perGroup = graph.groups.map(() => 0.05 + rng.next());
  return new Map(spec.prunable.map((p) => [p.layer, Float64Array.from(graph.spaceGroups.get(p.layer)!, (g) => perGroup[g]!)]));
}

const cases: Array<[string, ModelName, Partial<BuildOptions>]> = [
  ['mlp', 'mlp', { inputShape: [8, 8, 1], width: 0.1 }],
  ['lenet5', 'lenet5', { inputShape: [28, 28, 1], width: 1 }],
  ...(['vgg11', 'vgg13', 'vgg16', 'vgg19'] as const).map((a): [string, ModelName, Partial<BuildOptions>] => [a, a, { width: 0.125 }]),
  ...(['resnet20', 'resnet32', 'resnet56', 'resnet110'] as const).flatMap((a) =>
    (['A', 'B'] as const).map((s): [string, ModelName, Partial<BuildOptions>] => [`${a} shortcut ${s}`, a, { width: 0.25, shortcut: s, inputShape: [16, 16, 3] }]),
  ),
];

describe('the shrunk model equals the masked original', () => {
  for (const [label, arch, o] of cases) {
    it(label, () => {
      const spec = buildModelSpec(arch, { inputShape: [32, 32, 3], classes: 10, width: 0.125, shortcut: 'A', ...o });
      const weights = randomWeights(spec, 7);
      const opts: SelectionOptions = { criterion: 'l2', scope: 'global', threshold: 0.5, minChannels: 1, aggregate: 'max' };
      const plan = planPrune(spec, weights, groupScores(spec, 3), opts);
      const { graph, selection } = plan;
      expect(selection.removed.size).toBeGreaterThan(0);
      if (arch.startsWith('resnet')) {
        // Residual groups (tied across additions) are removed whole, not only plain ones.
        expect([...selection.removed].some((g) => graph.groups[g]!.residual)).toBe(true);
      }
      const masked = maskedWeights(spec, weights, graph, selection.removed);
      const x = randomInput(spec, 4, 11);
      const maskedOut = logits(spec, masked, x, 4);
      const diff = maxAbsDiff(maskedOut, logits(plan.result.spec, plan.result.weights, x, 4));
      expect(diff).toBeLessThanOrEqual(1e-4);
      // Not vacuous: masking changed the outputs.
      expect(maxAbsDiff(maskedOut, logits(spec, weights, x, 4))).toBeGreaterThan(1e-3);
      // The pruned model is physically smaller, and its costs come from its own spec.
      const report = sizeReport(spec, plan);
      expect(report.params.after).toBe(totalCost(plan.result.spec).params);
      expect(report.macs.after).toBe(totalCost(plan.result.spec).macs);
      expect(report.params.after).toBeLessThan(report.params.before);
      expect(report.macs.after).toBeLessThan(report.macs.before);
      // The architecture diff: each layer's removed filter indices account for its width change.
      for (const w of report.widths) {
        const removed = report.removedChannels[w.name]!;
        expect(removed.length, w.name).toBe(w.before - w.after);
        expect(new Set(removed).size).toBe(removed.length);
        expect(removed.every((c, i) => c >= 0 && c < w.before && (i === 0 || c > removed[i - 1]!))).toBe(true);
      }
    });
  }

  it('option-A shortcuts are remapped to the surviving channels', () => {
    const spec = buildModelSpec('resnet20', { inputShape: [16, 16, 3], classes: 10, width: 0.5, shortcut: 'A' });
    const plan = planPrune(spec, randomWeights(spec, 1), groupScores(spec, 5), { criterion: 'l2', scope: 'global', threshold: 0.5, minChannels: 1, aggregate: 'max' });
    const sc = plan.result.spec.nodes.find((n) => n.name === 's2.b0.shortcut')!;
    expect(sc.op).toBe('shortcutA');
    if (sc.op !== 'shortcutA') return;
    const contiguous = sc.placement.every((p, i) => p === sc.placement[0]! + i);
    expect(sc.placement.length).toBeLessThanOrEqual(sc.channels);
    expect(new Set(sc.placement).size).toBe(sc.placement.length);
    expect(contiguous || sc.placement.length < 8).toBe(true);
  });
});

describe('MACs after pruning are recomputed from the shrunk spec', () => {
  it('lenet5 with conv1 halved', () => {
    const spec = buildModelSpec('lenet5', { inputShape: [28, 28, 1], classes: 10, width: 1, shortcut: 'A' });
    const weights = randomWeights(spec, 2);
    const graph = buildGroups(spec);
    const removed = new Set([0, 1, 2].map((c) => graph.spaceGroups.get('conv1')![c]!));
    const { spec: small } = shrinkModel(spec, weights, graph, removed);
    // conv1 28·28·3·25, conv2 10·10·16·25·3, fc1 400·120, fc2 120·84, classifier 84·10.
    expect(totalCost(small).macs).toBe(28 * 28 * 3 * 25 + 10 * 10 * 16 * 25 * 3 + 400 * 120 + 120 * 84 + 84 * 10);
  });
});

describe('constant channels are folded where exact, kept elsewhere', () => {
  const select: SelectionOptions = { criterion: 'l2', scope: 'layer', threshold: 1e-6, minChannels: 1, aggregate: 'max' };

  it('lenet5: γ = 0, β = 0.3 folds into the unpadded conv2 (through its batch norm\'s running mean)', async () => {
    const spec = buildModelSpec('lenet5', { inputShape: [28, 28, 1], classes: 10, width: 1, shortcut: 'A' });
    const weights = randomWeights(spec, 4);
    const conv2 = spec.nodes.find((n) => n.name === 'conv2');
    if (!spec.prunable.find((p) => p.layer === 'conv1')?.bn) {
      // LeNet-5 without batch norm: a zero filter with a positive bias is the constant channel.
      const k = weights.get('conv1/kernel')!;
      for (let i = 2; i < k.values.length; i += 6) k.values[i] = 0;
      weights.get('conv1/bias')!.values[2] = 0.3;
    } else {
      weights.get('conv1.bn/gamma')!.values[2] = 0;
      weights.get('conv1.bn/beta')!.values[2] = 0.3;
    }
    const criterion = spec.prunable.find((p) => p.layer === 'conv1')?.bn ? 'bn' : 'l2';
    const plan = planPrune(spec, weights, await channelImportance(spec, weights, criterion), { ...select, criterion });
    expect(plan.result.folded.map((f) => [f.layer, f.channel])).toEqual([['conv1', 2]]);
    expect(conv2?.op === 'conv2d' && conv2.padding).toBe('valid');
    const x = randomInput(spec, 3, 1);
    expect(maxAbsDiff(logits(spec, weights, x, 3), logits(plan.result.spec, plan.result.weights, x, 3))).toBeLessThanOrEqual(1e-4);
  });

  it('mlp: a constant unit folds into the next dense layer', async () => {
    const spec = buildModelSpec('mlp', { inputShape: [8, 8, 1], classes: 10, width: 0.1, shortcut: 'A' });
    const weights = randomWeights(spec, 4);
    const bn = spec.prunable.find((p) => p.layer === 'fc1')?.bn;
    if (bn) {
      weights.get(`${bn}/gamma`)!.values[5] = 0;
      weights.get(`${bn}/beta`)!.values[5] = 0.5;
    } else {
      const k = weights.get('fc1/kernel')!;
      const units = k.shape[1]!;
      for (let i = 5; i < k.values.length; i += units) k.values[i] = 0;
      weights.get('fc1/bias')!.values[5] = 0.5;
    }
    const criterion = bn ? 'bn' : 'l2';
    const plan = planPrune(spec, weights, await channelImportance(spec, weights, criterion), { ...select, criterion });
    expect(plan.result.folded).toHaveLength(1);
    const x = randomInput(spec, 3, 1);
    expect(maxAbsDiff(logits(spec, weights, x, 3), logits(plan.result.spec, plan.result.weights, x, 3))).toBeLessThanOrEqual(1e-4);
  });

  it('vgg11: γ = 0, β > 0 folds through global pooling into the classifier, but is kept before a padded conv', async () => {
    const spec = buildModelSpec('vgg11', { inputShape: [32, 32, 3], classes: 10, width: 0.125, shortcut: 'A' });
    const weights = randomWeights(spec, 4);
    for (const bn of ['conv8.bn', 'conv3.bn']) {
      weights.get(`${bn}/gamma`)!.values[1] = 0;
      weights.get(`${bn}/beta`)!.values[1] = 0.4;
    }
    const plan = planPrune(spec, weights, await channelImportance(spec, weights, 'bn'), { ...select, criterion: 'bn' });
    expect(plan.result.folded.map((f) => [f.layer, f.channel, f.into])).toEqual([['conv8', 1, ['classifier']]]);
    const kept = sizeReport(spec, plan).groups.filter((g) => g.keptBecause);
    expect(kept.map((g) => g.members)).toEqual([['conv3:1']]);
    expect(kept[0]!.keptBecause).toMatch(/padded convolution conv4/);
    const x = randomInput(spec, 2, 1);
    expect(maxAbsDiff(logits(spec, weights, x, 2), logits(plan.result.spec, plan.result.weights, x, 2))).toBeLessThanOrEqual(1e-4);
  });
});

describe('spread pruning replaces a low-spread channel by its measured mean', () => {
  it('lenet5: a nearly constant conv2 channel (small γ, β = 0.6) is folded as its probe mean, not dropped as 0', async () => {
    const spec = buildModelSpec('lenet5', { inputShape: [28, 28, 1], classes: 10, width: 1, shortcut: 'A' });
    const weights = randomWeights(spec, 4);
    const gammas = weights.get('conv2.bn/gamma')!.values;
    // 2e-3 of the largest γ: above the weights' constant rule (1e-3), so only the measurement finds it.
    gammas[7] = 2e-3 * Math.max(...gammas);
    weights.get('conv2.bn/beta')!.values[7] = 0.6;
    const n = 64;
    const probe = { x: randomInput(spec, n, 5), shape: [n, 28, 28, 1] as [number, number, number, number] };
    const { scores, means } = await measureImportance(spec, weights, 'spread', probe);
    const only7: LayerScores = new Map([...scores].map(([l, s]) => [l, l === 'conv2' ? Float64Array.from(s, (v, c) => (c === 7 ? 0 : 1)) : Float64Array.from(s, () => 1)]));
    const select: SelectionOptions = { criterion: 'spread', scope: 'layer', threshold: 0.01, minChannels: 1, aggregate: 'max' };
    const withMean = planPrune(spec, weights, only7, select, means);
    const asZero = planPrune(spec, weights, only7, select);
    expect(withMean.result.folded.map((f) => [f.layer, f.channel, f.exact])).toEqual([['conv2', 7, true]]); // unpadded conv: exact
    expect(withMean.result.folded[0]!.value).toBeCloseTo(means!.get('conv2')![7]!, 6);
    expect(asZero.result.folded).toEqual([]);
    const x = randomInput(spec, 3, 1);
    const original = logits(spec, weights, x, 3);
    const errMean = maxAbsDiff(original, logits(withMean.result.spec, withMean.result.weights, x, 3));
    const errZero = maxAbsDiff(original, logits(asZero.result.spec, asZero.result.weights, x, 3));
    expect(errMean).toBeLessThan(errZero / 10);
  });

  it('vgg11: a low-spread channel before a padded conv is folded inside the image (exact: false), a constant by the weights there is kept', async () => {
    const spec = buildModelSpec('vgg11', { inputShape: [32, 32, 3], classes: 10, width: 0.125, shortcut: 'A' });
    const weights = randomWeights(spec, 4);
    const gammas = weights.get('conv3.bn/gamma')!.values;
    gammas[1] = 2e-3 * Math.max(...gammas); // nearly constant: only the measurement finds it
    weights.get('conv3.bn/beta')!.values[1] = 0.6;
    weights.get('conv3.bn/gamma')!.values[2] = 0; // exactly constant by the weights
    weights.get('conv3.bn/beta')!.values[2] = 0.4;
    const n = 16;
    const probe = { x: randomInput(spec, n, 5), shape: [n, 32, 32, 3] as [number, number, number, number] };
    const { scores, means } = await measureImportance(spec, weights, 'spread', probe);
    const only12: LayerScores = new Map([...scores].map(([l, s]) => [l, Float64Array.from(s, (v, c) => (l === 'conv3' && (c === 1 || c === 2) ? 0 : 1))]));
    const select: SelectionOptions = { criterion: 'spread', scope: 'layer', threshold: 0.01, minChannels: 1, aggregate: 'max' };
    const withMean = planPrune(spec, weights, only12, select, means);
    expect(withMean.result.folded.map((f) => [f.layer, f.channel, f.into, f.exact])).toEqual([['conv3', 1, ['conv4'], false]]);
    const kept = sizeReport(spec, withMean).groups.filter((g) => g.keptBecause);
    expect(kept.map((g) => g.members)).toEqual([['conv3:2']]);
    expect(kept[0]!.keptBecause).toMatch(/padded convolution conv4/);
    // Closer to the original than dropping the channel as 0 (exact inside the image, not at its borders).
    const asZero = planPrune(spec, weights, only12, select);
    const x = randomInput(spec, 3, 1);
    const original = logits(spec, weights, x, 3);
    const errMean = maxAbsDiff(original, logits(withMean.result.spec, withMean.result.weights, x, 3));
    const errZero = maxAbsDiff(original, logits(asZero.result.spec, asZero.result.weights, x, 3));
    expect(errMean).toBeLessThan(errZero);
  });
});

describe('refusals', () => {
  const spec = buildModelSpec('lenet5', { inputShape: [28, 28, 1], classes: 10, width: 0.5, shortcut: 'A' });
  const weights = randomWeights(spec, 1);
  let scores: LayerScores;
  beforeAll(async () => {
    scores = await channelImportance(spec, weights, 'l1');
  });
  const graph = buildGroups(spec);
  const layers = spec.prunable.map((p) => p.layer);

  it('a threshold that removes every channel of a layer, without a minimum', () => {
    expect(() => selectGroups(graph, scores, { criterion: 'l1', scope: 'layer', threshold: 1, aggregate: 'max' }, layers)).toThrow(
      /Threshold 1 would remove every channel of layer conv1/,
    );
    expect(() => selectGroups(graph, scores, { criterion: 'l1', scope: 'layer', threshold: 1, aggregate: 'max' }, layers)).toThrow(PruneInputError);
  });

  it('with a minimum, each layer keeps its most important channels', () => {
    const sel = selectGroups(graph, scores, { criterion: 'l1', scope: 'layer', threshold: 1, minChannels: 2, aggregate: 'max' }, layers);
    const { spec: small } = shrinkModel(spec, weights, graph, sel.removed);
    for (const n of small.nodes) if (n.op === 'conv2d') expect(n.filters).toBe(2);
  });

  it('a ratio outside 0..1', () => {
    expect(() => selectGroups(graph, scores, { criterion: 'l1', scope: 'layer', ratio: 1.5, aggregate: 'max' }, layers)).toThrow(/between 0 and 1/);
  });
});
