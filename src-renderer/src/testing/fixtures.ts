/** Small, valid DTOs for store tests, built from the shared defaults so they track the schemas. */
import type { EpochMetrics, StepScalars } from '../../../src-main/shared/metrics';
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

/** Every layer's snapshot at every epoch (what runs.snapshots answers from). */
export function allSnapshots(epochs: number[], layers = ['conv1', 'conv2']): SnapshotRow[] {
  return epochs.flatMap((e) => layers.map((l, i) => snap(l, e, (i + 1) * 0.1 * e)));
}

/** runs.get's bounded answer: the latest epoch's snapshots and the grid of all of them. */
export function details(r: Run, epochs: number[], layers = ['conv1', 'conv2']): RunDetails {
  const all = allSnapshots(epochs, layers);
  const latest = epochs.at(-1);
  return {
    run: r,
    metrics: epochs.map((e) => metrics(e)),
    snapshots: all.filter((s) => s.epoch === latest),
    sparsity: {
      layers: layers.map((name) => ({ name, channels: 4 })),
      epochs: [...epochs],
      structured: layers.map((l) => epochs.map((e) => all.find((s) => s.layer === l && s.epoch === e)!.structuredSparsity)),
      epochCount: epochs.length,
    },
    steps: { count: 0, first: null, last: null },
    checkpoints: [],
    children: [],
  };
}

/** Step rows: `perEpoch` rows an epoch, every step recorded. */
export function stepRows(epochs: number[], perEpoch = 4): StepScalars[] {
  return epochs.flatMap((e) =>
    Array.from({ length: perEpoch }, (_, i) => {
      const step = (e - 1) * perEpoch + i + 1;
      return { step, epoch: e, time: 1_700_000_000_000 + step * 1000, window: 1, loss: 2 / step, crossEntropy: 1.5 / step, accuracy: 0.5, ffrLength: 3, ffrCurvature: 1, regLoss: 0.1, lr: 0.05, stepMs: 50, rssBytes: 2e8, tensorBytes: 1e6 };
    }),
  );
}

export function summary(r: Run, acc: number): RunSummary {
  return {
    runId: r.id, name: r.name, status: r.status, backend: 'cpu', epochs: r.epochsDone, error: null,
    final: { trainLoss: 0.5, trainCrossEntropy: 0.4, valAccuracy: acc, testAccuracy: acc, length: 1, curvature: 1 }, best: { epoch: r.epochsDone, testAccuracy: acc }, collapse: null,
    sparsity: { structured: 0.2, unstructured: 0, measure: 'spread' },
    layers: [{ name: 'conv1', filters: 4, structuredSparsity: 0.25, unstructuredSparsity: 0 }], params: 1000, macs: 5000,
    executor: 'local', slurmJobId: null, slurmState: null,
  };
}
