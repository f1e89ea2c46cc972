import { describe, expect, it } from 'vitest';
import { classesFromConfig, detectCollapse } from './collapse';

const run = (...acc: number[]) => acc.map((testAccuracy, i) => ({ epoch: i + 1, testAccuracy }));

describe('collapse', () => {
  it('flags a 10-class run that ends near chance (the λ 2 LeNet-5 at 22 %)', () => {
    const c = detectCollapse(run(0.2, 0.21, 0.22), 10);
    expect(c?.kind).toBe('near-chance');
    expect(c?.message).toMatch(/22\.0 % is near chance \(10\.0 % for 10 classes; below 32\.5 %/);
  });

  it('the near-chance bar sits a quarter of the way from chance to 100 %', () => {
    expect(detectCollapse(run(0.324), 10)?.kind).toBe('near-chance');
    expect(detectCollapse(run(0.326), 10)).toBeNull();
    expect(detectCollapse(run(0.62), 2)?.kind).toBe('near-chance');
    expect(detectCollapse(run(0.63), 2)).toBeNull();
    expect(detectCollapse(run(0.25), 100)?.kind).toBe('near-chance');
    expect(detectCollapse(run(0.26), 100)).toBeNull();
  });

  it('flags a run that fell 10 points or more below its best epoch', () => {
    const c = detectCollapse(run(0.9, 0.95, 0.84), 10);
    expect(c?.kind).toBe('dropped');
    expect(c?.message).toMatch(/84\.0 % is 11\.0 points below its best \(95\.0 % at epoch 2\)/);
    expect(detectCollapse(run(0.9, 0.95, 0.85), 10)?.kind).toBe('dropped');
    expect(detectCollapse(run(0.9, 0.95, 0.86), 10)).toBeNull();
  });

  it('a healthy run, an unknown class count and no epochs are not flagged (a drop still is)', () => {
    expect(detectCollapse(run(0.9, 0.97, 0.98), 10)).toBeNull();
    expect(detectCollapse(run(0.2), null)).toBeNull();
    expect(detectCollapse(run(0.6, 0.3), null)?.kind).toBe('dropped');
    expect(detectCollapse([], 10)).toBeNull();
  });

  it('classes from the config for the bundled and CIFAR kinds; folders are unknown', () => {
    expect(classesFromConfig({ dataset: { name: 'mnist' } })).toBe(10);
    expect(classesFromConfig({ dataset: { name: 'cifar100', dataDir: '/x' } })).toBe(100);
    expect(classesFromConfig({ dataset: { name: 'synthetic', classes: 3 } })).toBe(3);
    expect(classesFromConfig({ dataset: { name: 'folder', dataDir: '/x' } })).toBeNull();
  });
});
