import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RunConfig, defaultRunConfig } from './run-config';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources', 'examples');

describe('run configurations', () => {
  it.each(fs.readdirSync(examples).filter((f) => f.endsWith('.json')))('resources/examples/%s is a valid RunConfig', (file) => {
    const parsed = RunConfig.safeParse(JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8')));
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
  });

  it('the LeNet-5 example is the default config, as the CLI fills it in (3 epochs: step every epoch, no baseline λ)', () => {
    const example = JSON.parse(fs.readFileSync(path.join(examples, 'lenet5-mnist-ffr.json'), 'utf8'));
    expect(RunConfig.parse(example)).toEqual(defaultRunConfig({ stepEvery: 1, lambda: 0 }));
  });

  it('reads configs stored by earlier versions with their meaning: pad-pool is index-pad, no group-lasso group is the filter', () => {
    const { groupLassoGroup: _, ...stored } = { ...defaultRunConfig(), ffr: { ...defaultRunConfig().ffr, align: 'pad-pool' } };
    const parsed = RunConfig.parse(stored);
    expect(parsed.ffr.align).toBe('index-pad');
    expect(parsed.groupLassoGroup).toBe('filter');
    // New runs get the equivariant alignment and the channel group.
    expect(defaultRunConfig().ffr.align).toBe('rank-pad');
    expect(defaultRunConfig().groupLassoGroup).toBe('channel');
  });

  it('refuses out-of-range settings with the field named', () => {
    const bad = RunConfig.safeParse({ ...defaultRunConfig(), lr: -1, ffr: { ...defaultRunConfig().ffr, align: 'diagonal' } });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['lr', 'ffr.align']));
  });
});
