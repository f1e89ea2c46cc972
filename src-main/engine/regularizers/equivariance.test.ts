/**
 * The default FFR must not depend on how a layer's channels happen to be numbered: permuting a
 * hidden layer's channels (its filters, its BN and the next layer's input slice) gives the same
 * function, and must give the same penalty and the same gradient, permuted. `index-pad` (the old
 * `pad-pool`) fails this — which is why it is not the default.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FFR, defaultRunConfig, type FfrAlign } from '../../shared/run-config';
import { buildModelSpec } from '../../catalog/models/builders';
import type { ModelSpec } from '../../catalog/models/spec';
import { randomWeights } from '../prune/testing';
import { Rng } from '../rng';
import { tf } from '../tf';
import { logitsOf, penaltyAndGrads, permuteAxis, permuteLayer } from './testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Case {
  name: string;
  spec: ModelSpec;
  layer: string;
  /** Alignments whose penalty is not identically zero on this model. */
  aligns: FfrAlign[];
}

const cases: Case[] = [
  {
    name: 'lenet5, conv2 (read by fc1 through a flatten)',
    spec: buildModelSpec('lenet5', { inputShape: [16, 16, 1], classes: 10, width: 1, shortcut: 'A' }),
    layer: 'conv2',
    aligns: ['rank-pad', 'gram', 'index-pad'],
  },
  {
    name: 'lenet5, fc1',
    spec: buildModelSpec('lenet5', { inputShape: [16, 16, 1], classes: 10, width: 1, shortcut: 'A' }),
    layer: 'fc1',
    aligns: ['rank-pad', 'gram', 'index-pad'],
  },
  {
    name: 'mlp, fc1',
    spec: buildModelSpec('mlp', { inputShape: [8, 8, 1], classes: 3, width: 0.1, shortcut: 'A' }),
    layer: 'fc1',
    aligns: ['rank-pad', 'gram', 'index-pad'],
  },
  {
    name: 'resnet20, a block-internal conv1',
    spec: buildModelSpec('resnet20', { inputShape: [8, 8, 3], classes: 3, width: 0.5, shortcut: 'A' }),
    layer: 's2.b1.conv1',
    aligns: ['rank-pad', 'gram', 'shortcut', 'index-pad', 'stage'],
  },
];

const EQUIVARIANT: FfrAlign[] = ['rank-pad', 'gram', 'shortcut'];

function input(spec: ModelSpec, n: number): tf.Tensor4D {
  const rng = new Rng(7);
  return tf.tensor4d(
    Float32Array.from({ length: n * spec.inputShape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    [n, ...spec.inputShape],
  );
}

/** A permutation that moves every channel: reversed, then the halves swapped. */
function shuffle(n: number): number[] {
  const rev = Array.from({ length: n }, (_, i) => n - 1 - i);
  const half = Math.floor(n / 2);
  return [...rev.slice(half), ...rev.slice(0, half)];
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-12;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]!), Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  return diff / scale;
}

describe('a function-preserving channel permutation', () => {
  it('the default alignment is rank-pad, one of the equivariant ones', () => {
    expect(EQUIVARIANT).toContain(DEFAULT_FFR.align);
  });

  for (const c of cases) {
    describe(c.name, () => {
      const weights = randomWeights(c.spec, 3);
      const width = weights.get(`${c.layer}/kernel`)!.shape.at(-1)!;
      const perm = shuffle(width);
      const { weights: permutedWeights, permuted } = permuteLayer(c.spec, weights, c.layer, perm);
      const x = input(c.spec, 5);

      it('leaves the network function unchanged (the permutation is a faithful one)', () => {
        expect(maxRelDiff(logitsOf(c.spec, weights, x), logitsOf(c.spec, permutedWeights, x))).toBeLessThan(1e-5);
      });

      for (const align of c.aligns) {
        const config = defaultRunConfig({ regularizer: 'ffr', ffr: { ...DEFAULT_FFR, align, lambdaLength: 1, lambdaCurvature: 0.5 } });
        if (EQUIVARIANT.includes(align)) {
          it(`${align}: the same penalty, and the same gradient with the permuted weights' entries permuted`, () => {
            const before = penaltyAndGrads(config, c.spec, weights, x);
            const after = penaltyAndGrads(config, c.spec, permutedWeights, x);
            expect(before.value).toBeGreaterThan(0);
            expect(Math.abs(after.value - before.value) / before.value).toBeLessThan(1e-5);
            let compared = 0;
            for (const [name, g] of before.grads) {
              const how = permuted.get(name);
              const want = !how
                ? g
                : how.reshape
                  ? { shape: g.shape, values: permuteAxis({ shape: how.reshape, values: g.values }, how.axis, perm).values }
                  : permuteAxis(g, how.axis, perm);
              expect(maxRelDiff(after.grads.get(name)!.values, want.values), name).toBeLessThan(1e-3);
              compared += how ? 1 : 0;
            }
            // The permuted layer's own weights do get a gradient (the test would be empty otherwise).
            expect(compared).toBeGreaterThan(0);
          });
        } else {
          it(`${align}: depends on the channel numbering (a documented, non-default option)`, () => {
            const before = penaltyAndGrads(config, c.spec, weights, x).value;
            const after = penaltyAndGrads(config, c.spec, permutedWeights, x).value;
            expect(Math.abs(after - before) / before).toBeGreaterThan(1e-3);
          });
        }
      }
    });
  }
});
