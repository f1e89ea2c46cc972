/** Small, valid DTOs for store tests, built from the shared defaults so they track the schemas. */
import type { EpochMetrics } from '../../../src-main/shared/metrics';
import { defaultRunConfig } from '../../../src-main/shared/run-config';
import type { ProjectSummary, Run, SnapshotRow } from '../../../src-main/shared/store-types';
import type { RunDetails, RunSummary } from '../api/contract';

const T = '2026-11-27T18:00:00.000Z';

export function project(id: string, name = id): ProjectSummary {
  return { id, name, createdAt: T, updatedAt: T, runCount: 0, datasetCount: 0 };
}

export function run(id: string, over: Partial<Run> = {}): Run {
  return {
    id, projectId: 'p1', parentRunId: null, kind: 'train', name: id, status: 'completed', config: defaultRunConfig(),
    backend: 'cpu', createdAt: T, startedAt: T, finishedAt: T, durationMs: 1000, epochsDone: 2, error: null, notes: '', tags: [],
    modelInfo: { params: 1000, macs: 5000, widths: { conv1: 6 } }, executor: 'local', slurmJob: null, ...over,
  };
}

export function metrics(epoch: number, over: Partial<EpochMetrics> = {}): EpochMetrics {
  return {
    epoch, trainLoss: 1 / epoch, trainCrossEntropy: 0.9 / epoch, trainAccuracy: 0.5 + epoch / 10, valLoss: 1.05 / epoch, valAccuracy: 0.5 + epoch / 21, testLoss: 1.1 / epoch,
    testAccuracy: 0.5 + epoch / 20, ffrLength: 3 / epoch, ffrCurvature: 2, regLoss: 0.01, lr: 0.01, seconds: 1, ...over,
  };
}

const stats = { min: 0, median: 0.5, max: 1, histogram: { edges: [0, 0.5, 1], counts: [1, 1] }, values: [0, 1] };
export function snap(layer: string, epoch: number, structured: number): SnapshotRow {
  return {
    layer, epoch, kind: 'conv', channels: 4, structuredSparsity: structured, structuredMeasure: 'spread', gammaSparsity: null, normSparsity: 0, unstructuredSparsity: 0,
    segmentLength: 1, turningAngle: 0.5, activity: stats, spread: stats, gamma: null, filterNorm: stats,
  };
}

export function details(r: Run, epochs: number[], layers = ['conv1', 'conv2']): RunDetails {
  return {
    run: r,
    metrics: epochs.map((e) => metrics(e)),
    snapshots: epochs.flatMap((e) => layers.map((l, i) => snap(l, e, (i + 1) * 0.1 * e))),
    checkpoints: [],
    children: [],
  };
}

export function summary(r: Run, acc: number): RunSummary {
  return {
    runId: r.id, name: r.name, status: r.status, backend: 'cpu', epochs: r.epochsDone, error: null,
    final: { trainLoss: 0.5, valAccuracy: acc, testAccuracy: acc, length: 1, curvature: 1 }, sparsity: { structured: 0.2, unstructured: 0, measure: 'spread' },
    layers: [{ name: 'conv1', filters: 4, structuredSparsity: 0.25, unstructuredSparsity: 0 }], params: 1000, macs: 5000,
    executor: 'local', slurmJobId: null, slurmState: null,
  };
}
