import { describe, expect, it } from 'vitest';
import type { DatasetEntry } from '../../../src-main/shared/contract';
import { DEFAULT_BASELINE_LAMBDA, RunConfig, defaultRunConfig } from '../../../src-main/shared/run-config';
import { formFromConfig, selectDataset, setModel, setRegularizer, submittedConfig } from './newRun';

const cifar: DatasetEntry = {
  id: 'ds1', projectId: null, name: 'cifar', kind: 'cifar10', dataDir: '/d', shape: [32, 32, 3], classes: 10, classNames: [], trainCount: 50000,
  testCount: 10000, createdAt: 'T', builtin: false, ref: { name: 'cifar10', dataDir: '/d' }, augmentable: true,
};

describe('the New-run form', () => {
  it('an untouched form submits the default config', () => {
    expect(RunConfig.parse(submittedConfig(formFromConfig(defaultRunConfig())))).toEqual(defaultRunConfig());
  });

  it('submits only the chosen regularizer’s weights and keeps the others for switching back', () => {
    const form = formFromConfig(defaultRunConfig());
    form.ffr.lambdaLength = 0.2;
    setRegularizer(form, 'slimming');
    expect(submittedConfig(form)).toMatchObject({ regularizer: 'slimming', lambda: DEFAULT_BASELINE_LAMBDA.slimming });
    expect(submittedConfig(form)).not.toHaveProperty('ffr');
    setRegularizer(form, 'none');
    expect(submittedConfig(form)).not.toHaveProperty('lambda');
    setRegularizer(form, 'ffr');
    expect(submittedConfig(form)).toMatchObject({ ffr: { lambdaLength: 0.2 } });
  });

  it('the rate follows the model and augmentation the dataset, as completeRunConfig does', () => {
    const form = formFromConfig(defaultRunConfig());
    setModel(form, 'mlp');
    selectDataset(form, cifar);
    expect(submittedConfig(form)).toEqual(RunConfig.parse(defaultRunConfig({ model: 'mlp', dataset: { name: 'cifar10', dataDir: '/d' } })));
  });

  it('submits the group-lasso group with group lasso only; a duplicated run keeps its group', () => {
    const form = formFromConfig(defaultRunConfig());
    setRegularizer(form, 'group-lasso');
    expect(RunConfig.parse(submittedConfig(form))).toEqual(defaultRunConfig({ regularizer: 'group-lasso' }));
    expect(submittedConfig(form)).toMatchObject({ regularizer: 'group-lasso', groupLassoGroup: 'channel' });
    setRegularizer(form, 'l1');
    expect(submittedConfig(form)).not.toHaveProperty('groupLassoGroup');
    const duplicate = formFromConfig(defaultRunConfig({ regularizer: 'group-lasso', groupLassoGroup: 'filter' }));
    expect(submittedConfig(duplicate)).toMatchObject({ regularizer: 'group-lasso', groupLassoGroup: 'filter' });
  });

  it('a duplicated baseline run keeps its λ', () => {
    const form = formFromConfig(defaultRunConfig({ regularizer: 'l1', lambda: 0.3 }));
    expect(submittedConfig(form)).toMatchObject({ regularizer: 'l1', lambda: 0.3 });
  });
});
