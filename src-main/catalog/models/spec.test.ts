import { describe, expect, it } from 'vitest';
import { buildModelSpec } from './builders';
import { inferShapes, layerCosts, totalCost } from './spec';

const cifar = { inputShape: [32, 32, 3] as [number, number, number], classes: 10, width: 1, shortcut: 'A' as const };
const mnist = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, width: 1, shortcut: 'A' as const };

/** Within ±1 % of a published figure. */
function expectNear(actual: number, published: number): void {
  expect(Math.abs(actual - published) / published).toBeLessThanOrEqual(0.01);
}

describe('parameter and MAC counts match the literature', () => {
  it('vgg16 on 32x32x3, 10 classes: 14.72 M params, 313.2 M MACs', () => {
    const { params, macs } = totalCost(buildModelSpec('vgg16', cifar));
    expectNear(params, 14.72e6);
    expectNear(macs, 313.2e6);
  });

  it('resnet56 option A on 32x32x3: 0.85 M params, 125.5 M MACs', () => {
    const { params, macs } = totalCost(buildModelSpec('resnet56', cifar));
    expectNear(params, 0.85e6);
    expectNear(macs, 125.5e6);
  });

  it('resnet20 option A on 32x32x3: 0.27 M params, 40.6 M MACs', () => {
    const { params, macs } = totalCost(buildModelSpec('resnet20', cifar));
    expectNear(params, 0.27e6);
    expectNear(macs, 40.6e6);
  });

  it('resnet110 option A on 32x32x3: 1.7 M params', () => {
    expectNear(totalCost(buildModelSpec('resnet110', cifar)).params, 1.73e6);
  });

  it('lenet5 (with BN) on 28x28x1: 61.7 K params, as LeCun et al. (BN γ and β replace the biases)', () => {
    expectNear(totalCost(buildModelSpec('lenet5', mnist)).params, 61.7e3);
  });

  it('mlp (LeNet-300-100) on 28x28x1: 266.6 K params', () => {
    expectNear(totalCost(buildModelSpec('mlp', mnist)).params, 266.6e3);
  });

  it('option B adds 1x1 projection convs and their BN to resnet20', () => {
    const a = totalCost(buildModelSpec('resnet20', cifar)).params;
    const b = totalCost(buildModelSpec('resnet20', { ...cifar, shortcut: 'B' })).params;
    // 16→32 and 32→64 projections with BN: 512 + 64 + 2048 + 128.
    expect(b - a).toBe(512 + 64 + 2048 + 128);
  });

  it('the width multiplier scales channels: vgg11 width 0.5 has about a quarter of the conv params', () => {
    const full = totalCost(buildModelSpec('vgg11', cifar)).params;
    const half = totalCost(buildModelSpec('vgg11', { ...cifar, width: 0.5 })).params;
    expect(half / full).toBeGreaterThan(0.24);
    expect(half / full).toBeLessThan(0.26);
  });

  it('per-layer costs add up to the totals', () => {
    const spec = buildModelSpec('resnet20', cifar);
    const costs = layerCosts(spec);
    const total = totalCost(spec);
    expect(costs.reduce((s, c) => s + c.params, 0)).toBe(total.params);
    expect(costs.reduce((s, c) => s + c.macs, 0)).toBe(total.macs);
  });
});

describe('architectures', () => {
  it.each(['mlp', 'lenet5', 'vgg11', 'vgg13', 'vgg16', 'vgg19', 'resnet20', 'resnet32', 'resnet56', 'resnet110'] as const)(
    '%s builds on 28x28x1 and 32x32x3 with consistent shapes, named taps and prunable layers',
    (arch) => {
      for (const o of [mnist, cifar]) {
        const spec = buildModelSpec(arch, o);
        const shapes = inferShapes(spec);
        expect(shapes.get(spec.output)).toEqual([10]);
        expect(spec.taps.length).toBeGreaterThanOrEqual(2);
        for (const t of spec.taps) expect(shapes.has(t)).toBe(true);
        for (const p of spec.prunable) expect(shapes.has(p.activityNode)).toBe(true);
      }
    },
  );

  it('vgg16 on 32x32x3 has 13 prunable convs and 13 taps', () => {
    const spec = buildModelSpec('vgg16', cifar);
    expect(spec.prunable.map((p) => p.layer)).toEqual(Array.from({ length: 13 }, (_, i) => `conv${i + 1}`));
    expect(spec.taps).toHaveLength(13);
  });

  it('resnet20 taps every post-activation conv block and every residual block output', () => {
    const spec = buildModelSpec('resnet20', cifar);
    // stem + 9 blocks × (conv1 output, block output)
    expect(spec.taps).toHaveLength(1 + 9 * 2);
    expect(spec.taps.slice(0, 3)).toEqual(['stem.relu', 's1.b0.conv1.relu', 's1.b0.relu']);
  });
});
