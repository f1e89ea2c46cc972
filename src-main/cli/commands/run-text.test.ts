import { describe, expect, it } from 'vitest';
import { DEFAULT_FFR, defaultRunConfig } from '../../shared/run-config';
import type { RunSummary } from '../../shared/contract';
import type { Run } from '../../shared/store-types';
import { metrics, snapshot } from '../../store/testing/fixtures';
import { formatCompare, formatRunShow } from './run-text';

const T = '2026-12-01T10:00:00.000Z';
const run = (id: string, over: Partial<Run> = {}): Run => ({
  id, projectId: 'p', parentRunId: null, kind: 'train', name: `name of ${id}`, status: 'completed', config: defaultRunConfig(),
  backend: 'wasm', createdAt: T, startedAt: T, finishedAt: T, durationMs: 1000, epochsDone: 2, error: null, notes: '', tags: ['knee'],
  modelInfo: { params: 61_706, macs: 416_520, widths: { conv1: 6 } }, executor: 'local', slurmJob: null, ...over,
});
const summary = (r: Run, over: Partial<RunSummary> = {}): RunSummary => ({
  runId: r.id, name: r.name, status: r.status, backend: 'wasm', epochs: 2, error: null,
  final: { trainLoss: 1.52, trainCrossEntropy: 0.1, valAccuracy: 0.91, testAccuracy: 0.93, length: 2, curvature: 1 }, best: { epoch: 1, testAccuracy: 0.95 }, collapse: null,
  sparsity: { structured: 0.25, unstructured: 0.01, measure: 'spread' },
  layers: [{ name: 'conv1', filters: 6, structuredSparsity: 0.5, unstructuredSparsity: 0 }, { name: 'conv2', filters: 16, structuredSparsity: 0.375, unstructuredSparsity: 0 }],
  params: 61_706, macs: 416_520, executor: 'local', slurmJobId: null, slurmState: null, ...over,
});

describe('runs show / compare text', () => {
  it('show prints the config, every epoch with total loss and cross-entropy, and per-layer sparsity', () => {
    const r = run('run-a');
    const text = formatRunShow({
      run: r,
      metrics: [metrics(1), metrics(2)],
      lastSnapshots: [{ ...snapshot('conv1', { channels: 6, structuredSparsity: 0.5 }), epoch: 2 }, { ...snapshot('fc1', { kind: 'dense', gamma: null, gammaSparsity: null, segmentLength: null, turningAngle: null }), epoch: 2 }],
      summary: summary(r, { collapse: { kind: 'dropped', message: 'Collapsed: the final test accuracy 80.0 % is 15.0 points below its best (95.0 % at epoch 1).' } }),
    });
    expect(text).toMatch(/^run-a "name of run-a" completed/);
    expect(text).toMatch(/Collapsed: the final test accuracy 80\.0 %/);
    expect(text).toMatch(/tags: knee/);
    expect(text).toMatch(/config:\n {2}model +lenet5\n/);
    expect(text).toMatch(new RegExp(` {2}ffr\\.lambdaLength +${DEFAULT_FFR.lambdaLength}\n`));
    expect(text).toMatch(/ {2}dataset\.name +mnist\n/);
    expect(text).toMatch(/epoch +train loss +train CE +val acc +test loss +test acc/);
    // Validation beside test, every epoch (fixtures: val 80 % and 81 %).
    expect(text).toMatch(/\n1 +1 +0\.9 +80\.00% +1\.1 +79\.00%/);
    expect(text).toMatch(/per-layer sparsity at epoch 2 \(structured: share of channels with relative spread ≤ 0\.01\)/);
    expect(text).toMatch(/conv1 +conv +6 +50\.0% +25\.0% +0\.0% +1\.0% +1\.5 +17\.2°/);
    expect(text).toMatch(/fc1 +dense +4 +25\.0% +– +0\.0% +1\.0% +– +–/);
    expect(text).toMatch(/best test accuracy 95\.00% at epoch 1; final 93\.00%/);
    // 6 and 4 channels: 3 + 1 dead of 10.
    expect(text).toMatch(/all layers: structured 40\.0% of channels/);
  });

  it('compare prints final metrics with both losses named, per-layer sparsity and config differences', () => {
    const a = run('run-a');
    const b = run('run-b', { config: defaultRunConfig({ regularizer: 'none' }) });
    const text = formatCompare({
      runs: [summary(a), summary(b, { layers: [{ name: 'conv1', filters: 6, structuredSparsity: 0, unstructuredSparsity: 0 }] })],
      configDiff: { regularizer: ['ffr', 'none'] },
      configs: [{ regularizer: 'ffr' }, { regularizer: 'none' }],
    });
    expect(text).toMatch(/run +name +regularizer +epochs +val acc +test acc +best acc +train loss +train CE/);
    expect(text).toMatch(/run-a +name of run-a +ffr +2 +91\.00% +93\.00% +95\.00% +1\.52 +0\.1 /);
    expect(text).toMatch(/structured sparsity per layer, last epoch \(channels in brackets\):\nlayer +run-a +run-b/);
    expect(text).toMatch(/conv1 +50\.0% \(6\) +0\.0% \(6\)/);
    expect(text).toMatch(/conv2 +37\.5% \(16\) +–/);
    expect(text).toMatch(/config differences:\n {2}regularizer: ffr \| none/);
  });
});
