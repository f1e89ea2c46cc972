/**
 * One source of run defaults: the same experiment asked for with `ffr train` flags and with the
 * New-run form gets the same config. The CLI side parses real flags with the real command
 * definition; the UI side starts from the host's `runs.defaults`, applies the form's own rules
 * (forms/newRun.ts) and submits to the host's `runs.validateConfig`, which answers the config
 * `runs.create` would store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCifar10Fixture } from '../src-main/catalog/datasets/testing/fixtures';
import { addTrainOptions, configFromFlags, type TrainFlags } from '../src-main/cli/commands/train';
import { createApi, type Api } from '../src-main/services/api';
import { testApp, type TestApp } from '../src-main/services/testing/host';
import type { DatasetEntry } from '../src-main/shared/contract';
import { DEFAULT_BASELINE_LAMBDA, DEFAULT_GROUP_LASSO_GROUP, defaultRunConfig, type ModelName, type RegularizerName, type RunConfig } from '../src-main/shared/run-config';
import { formFromConfig, selectDataset, setModel, setRegularizer, submittedConfig } from '../src-renderer/src/forms/newRun';

let app: TestApp;
let api: Api;
let cifarDir: string;
let cifarEntry: DatasetEntry;

beforeAll(async () => {
  app = testApp();
  api = createApi(app, { shell: 'test', backendStatuses: async () => [] });
  cifarDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-defaults-cifar-'));
  writeCifar10Fixture(cifarDir, { perBatch: 10 });
  cifarEntry = await api.call('datasets.register', { kind: 'cifar10', dataDir: cifarDir });
});
afterAll(async () => {
  api.dispose();
  await app.cleanup();
  fs.rmSync(cifarDir, { recursive: true, force: true });
});

/** `ffr train ARGS` as the CLI stores it. */
async function fromCli(args: string[]): Promise<RunConfig> {
  const cmd = addTrainOptions(new Command('train')).exitOverride();
  cmd.parse(args, { from: 'user' });
  return app.runs.validConfig(configFromFlags(cmd.opts<TrainFlags>()));
}

/** The New-run form from the host's defaults, with these choices made, as the host checks it. */
async function fromForm(choices: { model?: ModelName; datasetId: string; regularizer?: RegularizerName }): Promise<RunConfig> {
  const form = formFromConfig(await api.call('runs.defaults', {}));
  if (choices.model) setModel(form, choices.model);
  const entry = (await api.call('datasets.list', {})).find((d) => d.id === choices.datasetId)!;
  selectDataset(form, entry);
  if (choices.regularizer) setRegularizer(form, choices.regularizer);
  const v = await api.call('runs.validateConfig', { config: submittedConfig(form) });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.config;
}

describe('run defaults: CLI flags and the New-run form agree', () => {
  it('the form starts from the shared defaults', async () => {
    expect(await api.call('runs.defaults', {})).toEqual(defaultRunConfig());
  });

  it('the default run: `ffr train --model lenet5 --dataset mnist` and an untouched form', async () => {
    const cli = await fromCli(['--model', 'lenet5', '--dataset', 'mnist']);
    expect(cli).toEqual(await fromForm({ datasetId: 'builtin:mnist' }));
    expect(cli).toEqual(defaultRunConfig());
  });

  it('a baseline on CIFAR: the rate follows the model, augmentation the dataset, λ the regularizer', async () => {
    const cli = await fromCli(['--model', 'vgg11', '--dataset', 'cifar10', '--data-dir', cifarDir, '--regularizer', 'l1']);
    expect(cli).toEqual(await fromForm({ model: 'vgg11', datasetId: cifarEntry.id, regularizer: 'l1' }));
    expect(cli).toMatchObject({ augment: true, regularizer: 'l1', lambda: DEFAULT_BASELINE_LAMBDA.l1 });
  });

  it('group lasso: λ and the group follow the regularizer', async () => {
    const cli = await fromCli(['--model', 'lenet5', '--dataset', 'mnist', '--regularizer', 'group-lasso']);
    expect(cli).toEqual(await fromForm({ datasetId: 'builtin:mnist', regularizer: 'group-lasso' }));
    expect(cli).toMatchObject({ regularizer: 'group-lasso', lambda: DEFAULT_BASELINE_LAMBDA['group-lasso'], groupLassoGroup: DEFAULT_GROUP_LASSO_GROUP });
  });

  it('the bundled synthetic data and no regularizer', async () => {
    const cli = await fromCli(['--model', 'mlp', '--dataset', 'synthetic', '--regularizer', 'none']);
    expect(cli).toEqual(await fromForm({ model: 'mlp', datasetId: 'builtin:synthetic', regularizer: 'none' }));
    expect(cli).not.toHaveProperty('lambda');
    expect(cli).not.toHaveProperty('ffr');
  });
});
