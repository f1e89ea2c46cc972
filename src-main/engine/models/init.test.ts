import { describe, expect, it } from 'vitest';
import { buildModelSpec } from '../../catalog/models/builders';
import { initialWeightValues } from './init';

const cifar = { inputShape: [32, 32, 3] as [number, number, number], classes: 10, width: 1, shortcut: 'A' as const };
const mnist = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, width: 1, shortcut: 'A' as const };

describe('seeded initialization', () => {
  it('the same seed gives the same weights; another seed different ones', () => {
    const spec = buildModelSpec('lenet5', mnist);
    const a = initialWeightValues(spec, 7);
    const b = initialWeightValues(spec, 7);
    const c = initialWeightValues(spec, 8);
    for (const [name, { values }] of a) expect(b.get(name)!.values).toEqual(values);
    expect(c.get('conv1/kernel')!.values).not.toEqual(a.get('conv1/kernel')!.values);
  });

  it('a layer\'s initial weights do not depend on the width of other layers', () => {
    const narrow = initialWeightValues(buildModelSpec('mlp', { ...mnist, width: 0.5 }), 3);
    const wide = initialWeightValues(buildModelSpec('mlp', mnist), 3);
    // fc1 has the same fan-in (784) in both, so the first 150 values of its stream agree.
    expect(narrow.get('fc1/kernel')!.values.slice(0, 150)).toEqual(wide.get('fc1/kernel')!.values.slice(0, 150));
  });

  it('He-normal kernels have the expected spread; BN starts at identity', () => {
    const values = initialWeightValues(buildModelSpec('vgg11', cifar), 1);
    const k = values.get('conv2/kernel')!.values; // fan-in 3·3·64
    const std = Math.sqrt(k.reduce((s, v) => s + v * v, 0) / k.length);
    expect(std).toBeGreaterThan(0.95 * Math.sqrt(2 / 576));
    expect(std).toBeLessThan(1.05 * Math.sqrt(2 / 576));
    expect([...values.get('conv1.bn/gamma')!.values].every((v) => v === 1)).toBe(true);
    expect([...values.get('conv1.bn/beta')!.values].every((v) => v === 0)).toBe(true);
  });
});
