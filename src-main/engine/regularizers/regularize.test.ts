/**
 * Every regularizer reaches the loss and its gradient: the penalty `regularize` returns (the term the
 * training step adds to the cross-entropy) is checked against the formula computed here in plain
 * JavaScript from the weights, and its gradient against the formula's derivative. Replacing any
 * penalty by 0, or dropping a group member, turns these red.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FFR, defaultRunConfig, type GroupLassoGroup, type RunConfig } from '../../shared/run-config';
import { buildModelSpec } from '../../catalog/models/builders';
import { forward } from '../models/forward';
import { disposeParams, paramsFromValues } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { randomWeights } from '../prune/testing';
import { Rng } from '../rng';
import { tf } from '../tf';
import type { NamedValues } from '../train/checkpoint';
import { channelConsumers } from './baselines';
import { ffrTerms } from './ffr';
import { flowPlan } from '../../catalog/models/flow-plan';
import { regularize } from './index';
import { penaltyAndGrads } from './testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const spec = buildModelSpec('lenet5', { inputShape: [16, 16, 1], classes: 4, width: 0.5, shortcut: 'A' });
const weights = randomWeights(spec, 5);
const rng = new Rng(9);
const x = tf.tensor4d(Float32Array.from({ length: 4 * 256 }, () => rng.normal()), [4, 16, 16, 1]);

function config(regularizer: RunConfig['regularizer'], overrides: Partial<RunConfig> = {}): RunConfig {
  return defaultRunConfig({ regularizer, lambda: 0.3, ...overrides });
}

const close = (got: number, want: number, rel = 1e-4) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.max(1e-8, Math.abs(want)));

function expectGrad(got: Map<string, { values: Float32Array }>, name: string, want: (i: number) => number): void {
  const g = got.get(name);
  expect(g, `gradient of ${name}`).toBeDefined();
  let scale = 1e-12;
  g!.values.forEach((_, i) => (scale = Math.max(scale, Math.abs(want(i)))));
  g!.values.forEach((v, i) => expect(Math.abs(v - want(i)) / scale, `${name}[${i}]`).toBeLessThan(1e-4));
}

const values = (name: string): Float32Array => weights.get(name)!.values;
const kernels = spec.nodes.filter((n) => n.op === 'conv2d' || n.op === 'dense').map((n) => `${n.name}/kernel`);

describe('l1', () => {
  it('adds λ Σ|w| over every conv and dense kernel, with gradient λ sign(w)', () => {
    const { value, grads } = penaltyAndGrads(config('l1'), spec, weights, x);
    const sum = kernels.reduce((s, k) => s + values(k).reduce((a, v) => a + Math.abs(v), 0), 0);
    close(value, 0.3 * sum);
    for (const k of kernels) expectGrad(grads, k, (i) => 0.3 * Math.sign(values(k)[i]!));
    // Biases and BN parameters are not penalized.
    expect([...grads.keys()].every((k) => k.endsWith('/kernel'))).toBe(true);
  });
});

describe('slimming', () => {
  it('adds λ Σ|γ| over the prunable layers\' batch norms, with gradient λ sign(γ)', () => {
    const { value, grads } = penaltyAndGrads(config('slimming'), spec, weights, x);
    const gammas = spec.prunable.map((p) => `${p.bn}/gamma`);
    close(value, 0.3 * gammas.reduce((s, g) => s + values(g).reduce((a, v) => a + Math.abs(v), 0), 0));
    for (const g of gammas) expectGrad(grads, g, (i) => 0.3 * Math.sign(values(g)[i]!));
    expect([...grads.keys()].sort()).toEqual([...gammas].sort());
  });
});

/** Per prunable layer and output channel, the group's members as (weight name, flat index) pairs. */
function groups(s: ModelSpec, w: NamedValues, group: GroupLassoGroup): Array<Array<[string, number]>> {
  const out: Array<Array<[string, number]>> = [];
  for (const layer of s.prunable) {
    const kernel = w.get(`${layer.layer}/kernel`)!;
    const units = kernel.shape.at(-1)!;
    for (let f = 0; f < units; f++) {
      const members: Array<[string, number]> = [];
      for (let i = f; i < kernel.values.length; i += units) members.push([`${layer.layer}/kernel`, i]);
      if (group !== 'filter') {
        if (w.has(`${layer.layer}/bias`)) members.push([`${layer.layer}/bias`, f]);
        members.push([`${layer.bn}/gamma`, f], [`${layer.bn}/beta`, f]);
      }
      if (group === 'channel+consumers') {
        for (const c of channelConsumers(s, layer)) {
          const k = w.get(c.weight)!;
          const outUnits = k.shape.at(-1)!;
          if (c.kind === 'conv') {
            const [kh, kw, cin] = k.shape as [number, number, number, number];
            for (let p = 0; p < kh * kw; p++) for (let o = 0; o < outUnits; o++) members.push([c.weight, (p * cin + f) * outUnits + o]);
          } else {
            for (let p = 0; p < c.positions; p++) for (let o = 0; o < outUnits; o++) members.push([c.weight, (p * units + f) * outUnits + o]);
          }
        }
      }
      out.push(members);
    }
  }
  return out;
}

describe('group lasso', () => {
  for (const group of ['channel', 'channel+consumers', 'filter'] as const) {
    it(`${group}: adds λ Σ_groups ‖group‖₂, with gradient λ w / ‖group‖ on every member`, () => {
      const { value, grads } = penaltyAndGrads(config('group-lasso', { groupLassoGroup: group }), spec, weights, x);
      const gs = groups(spec, weights, group);
      const norms = gs.map((g) => Math.sqrt(g.reduce((s, [n, i]) => s + values(n)[i]! ** 2, 0)));
      close(value, 0.3 * norms.reduce((a, b) => a + b, 0));
      const want = new Map<string, Float64Array>();
      gs.forEach((g, j) => {
        for (const [n, i] of g) {
          if (!want.has(n)) want.set(n, new Float64Array(values(n).length));
          want.get(n)![i]! += (0.3 * values(n)[i]!) / norms[j]!;
        }
      });
      expect([...grads.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [n, w] of want) expectGrad(grads, n, (i) => w[i]!);
    });
  }

  it('the channel group includes γ and β: a channel with a zero filter but live BN is still penalized', () => {
    const { grads } = penaltyAndGrads(config('group-lasso', { groupLassoGroup: 'channel' }), spec, weights, x);
    expect(Math.max(...Array.from(grads.get('conv1.bn/gamma')!.values, Math.abs))).toBeGreaterThan(0);
    expect(Math.max(...Array.from(grads.get('conv1.bn/beta')!.values, Math.abs))).toBeGreaterThan(0);
  });
});

describe('ffr', () => {
  it('adds λ_len · length + λ_curv · curvature of the default trajectory, and its gradient', () => {
    const ffr = { ...DEFAULT_FFR, lambdaLength: 0.7, lambdaCurvature: 0.4 };
    const { value, grads } = penaltyAndGrads(config('ffr', { ffr }), spec, weights, x);
    // The same terms, computed directly from the taps and differentiated as a plain function.
    const params = paramsFromValues(weights);
    try {
      const plan = flowPlan(spec, ffr.align);
      const trainable = [...params.values()].filter((v) => v.trainable);
      const byVar = new Map([...params].map(([n, v]) => [v.name, n]));
      tf.tidy(() => {
        const direct = tf.variableGrads(() => {
          const { features } = forward(spec, params, x, { training: true });
          const t = ffrTerms(plan.taps.map((n) => features.get(n)!), ffr, plan.segments);
          return tf.add(tf.mul(t.length, 0.7), tf.mul(t.curvature, 0.4)) as tf.Scalar;
        }, trainable);
        expect(value).toBeGreaterThan(0);
        close(value, direct.value.dataSync()[0]!);
        let nonzero = 0;
        for (const [vn, g] of Object.entries(direct.grads)) {
          const name = byVar.get(vn)!;
          const want = g.dataSync();
          nonzero += want.some((v) => v !== 0) ? 1 : 0;
          expectGrad(grads, name, (i) => want[i]!);
        }
        expect(nonzero).toBeGreaterThan(3);
      });
    } finally {
      disposeParams(params);
    }
  });

  it('weights the curvature term by λ_curv (λ_len 0: curvature alone)', () => {
    const a = penaltyAndGrads(config('ffr', { ffr: { ...DEFAULT_FFR, lambdaLength: 0, lambdaCurvature: 1 } }), spec, weights, x).value;
    const b = penaltyAndGrads(config('ffr', { ffr: { ...DEFAULT_FFR, lambdaLength: 0, lambdaCurvature: 2 } }), spec, weights, x).value;
    expect(a).toBeGreaterThan(0);
    close(b, 2 * a);
  });
});

describe('none', () => {
  it('adds nothing (and still reports the unweighted FFR terms, for comparison charts)', () => {
    const params = paramsFromValues(weights);
    try {
      tf.tidy(() => {
        const { features } = forward(spec, params, x, { training: true });
        const r = regularize(config('none'), spec, params, features);
        expect(r.penalty.dataSync()[0]).toBe(0);
        expect(r.length.dataSync()[0]).toBeGreaterThan(0);
      });
    } finally {
      disposeParams(params);
    }
  });
});
