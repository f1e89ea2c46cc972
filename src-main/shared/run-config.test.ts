import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BASELINE_LAMBDA, DEFAULT_FFR, RunConfig, completeRunConfig, defaultRunConfig, flattenConfig, measuredFfr } from './run-config';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources', 'examples');
const readExample = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8'));

describe('run configurations', () => {
  it.each(fs.readdirSync(examples).filter((f) => f.endsWith('.json')))('resources/examples/%s is a valid RunConfig, in exactly the stored shape', (file) => {
    const raw = readExample(file);
    const parsed = RunConfig.safeParse(raw);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(parsed.data).toEqual(raw); // nothing dropped: no weight of another regularizer
  });

  it('the LeNet-5 example is the default config', () => {
    expect(RunConfig.parse(readExample('lenet5-mnist-ffr.json'))).toEqual(defaultRunConfig());
  });

  it('reads configs stored by earlier versions with their meaning: pad-pool is index-pad, no group-lasso group is the filter', () => {
    const { regularizer: _r, ...common } = defaultRunConfig({ regularizer: 'none' });
    // Stored before: both weights on every run, no group-lasso group, the old alignment name.
    const old = { ...common, ffr: { ...DEFAULT_FFR, align: 'pad-pool' }, lambda: 0.05 };
    const ffr = RunConfig.parse({ ...old, regularizer: 'ffr' });
    expect(ffr.regularizer === 'ffr' && ffr.ffr.align).toBe('index-pad');
    const groupLasso = RunConfig.parse({ ...old, regularizer: 'group-lasso' });
    expect(groupLasso).toEqual({ ...common, regularizer: 'group-lasso', lambda: 0.05, groupLassoGroup: 'filter' });
    // New runs get the equivariant alignment and the channel group; only group lasso has a group.
    expect(defaultRunConfig()).toMatchObject({ ffr: { align: 'rank-pad' } });
    expect(defaultRunConfig({ regularizer: 'group-lasso' })).toMatchObject({ groupLassoGroup: 'channel' });
    expect(defaultRunConfig({ regularizer: 'group-lasso', groupLassoGroup: 'channel+consumers' })).toMatchObject({ groupLassoGroup: 'channel+consumers' });
    for (const r of ['ffr', 'l1', 'slimming', 'none'] as const) expect(defaultRunConfig({ regularizer: r, groupLassoGroup: 'filter' })).not.toHaveProperty('groupLassoGroup');
    // A duplicate of a group-lasso run keeps its group; switching to another regularizer drops it.
    const base = defaultRunConfig({ regularizer: 'group-lasso', groupLassoGroup: 'filter' });
    expect(RunConfig.parse(completeRunConfig({ epochs: 5 }, base))).toMatchObject({ groupLassoGroup: 'filter' });
    expect(completeRunConfig({ regularizer: 'l1' }, base)).not.toHaveProperty('groupLassoGroup');
  });

  it('refuses out-of-range settings with the field named', () => {
    const bad = RunConfig.safeParse({ ...defaultRunConfig(), lr: -1, ffr: { ...DEFAULT_FFR, align: 'diagonal' } });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['lr', 'ffr.align']));
  });

  it('a run holds only the weights its regularizer uses', () => {
    const ffr = defaultRunConfig();
    expect(ffr).toMatchObject({ regularizer: 'ffr', ffr: DEFAULT_FFR });
    expect(ffr).not.toHaveProperty('lambda');
    for (const r of ['l1', 'group-lasso', 'slimming'] as const) {
      const c = defaultRunConfig({ regularizer: r });
      expect(c).toMatchObject({ regularizer: r, lambda: DEFAULT_BASELINE_LAMBDA[r] });
      expect(c).not.toHaveProperty('ffr');
    }
    const none = defaultRunConfig({ regularizer: 'none' });
    expect(none).not.toHaveProperty('ffr');
    expect(none).not.toHaveProperty('lambda');
    // The FFR trajectory of a baseline is still measured, with the default variant.
    expect(measuredFfr(none)).toEqual(DEFAULT_FFR);
  });

  it('configs stored before, with both weights on every run, read back clean', () => {
    const { regularizer: _r, ...common } = defaultRunConfig({ regularizer: 'none' });
    const old = { ...common, ffr: DEFAULT_FFR, lambda: 1e-4 };
    expect(RunConfig.parse({ ...old, regularizer: 'ffr' })).toEqual(defaultRunConfig());
    expect(RunConfig.parse({ ...old, regularizer: 'none' })).toEqual(defaultRunConfig({ regularizer: 'none' }));
    expect(RunConfig.parse({ ...old, regularizer: 'slimming' })).toEqual(defaultRunConfig({ regularizer: 'slimming', lambda: 1e-4 }));
  });

  it('completes a partial config: the rate follows the model, augmentation the dataset, λ the regularizer', () => {
    expect(defaultRunConfig({ model: 'mlp' }).lr).toBe(0.01);
    expect(defaultRunConfig({ model: 'mlp', lr: 0.2 }).lr).toBe(0.2);
    expect(defaultRunConfig({ dataset: { name: 'cifar10', dataDir: '/d' } }).augment).toBe(true);
    expect(defaultRunConfig({ dataset: { name: 'cifar10', dataDir: '/d' }, augment: false }).augment).toBe(false);
    expect(defaultRunConfig({ dataset: { name: 'synthetic' } }).augment).toBe(false);
    expect(defaultRunConfig({ ffr: { lambdaLength: 0.2 } })).toMatchObject({ ffr: { ...DEFAULT_FFR, lambdaLength: 0.2 } });
    // Over a base (a run being duplicated): its own values stay unless what they follow changes.
    const base = defaultRunConfig({ model: 'vgg11', lr: 0.3, regularizer: 'l1', lambda: 0.5 });
    expect(RunConfig.parse(completeRunConfig({ epochs: 9 }, base))).toMatchObject({ lr: 0.3, lambda: 0.5, epochs: 9 });
    expect(RunConfig.parse(completeRunConfig({ model: 'mlp' }, base)).lr).toBe(0.01);
    expect(RunConfig.parse(completeRunConfig({ regularizer: 'slimming' }, base))).toMatchObject({ lambda: DEFAULT_BASELINE_LAMBDA.slimming });
    // Weights of another regularizer are dropped, not stored.
    expect(completeRunConfig({ regularizer: 'none', lambda: 3, ffr: { lambdaLength: 1 } })).not.toHaveProperty('lambda');
    expect(completeRunConfig({ regularizer: 'none', lambda: 3, ffr: { lambdaLength: 1 } })).not.toHaveProperty('ffr');
    // A malformed field is left for the schema to name.
    expect(RunConfig.safeParse(completeRunConfig({ ffr: 3 })).error?.issues[0]?.path).toEqual(['ffr']);
  });

  it('writes out the defaults of a dataset kind, so the stored config says what was trained on', () => {
    expect(defaultRunConfig({ dataset: { name: 'synthetic', classes: 3 } }).dataset).toEqual({ name: 'synthetic', shape: [28, 28, 1], classes: 3, trainSize: 512, testSize: 128 });
    expect(defaultRunConfig({ dataset: { name: 'folder', dataDir: '/d' } }).dataset).toEqual({ name: 'folder', shape: [32, 32, 3], dataDir: '/d' });
    expect(defaultRunConfig({ dataset: { name: 'cifar10', dataDir: '/d' } }).dataset).toEqual({ name: 'cifar10', dataDir: '/d' });
  });

  it('flattens configs to the dotted keys of the compare table', () => {
    expect(flattenConfig({ a: 1, b: { c: [1, 2], d: { e: null } } })).toEqual({ a: 1, 'b.c': [1, 2], 'b.d.e': null });
  });
});
