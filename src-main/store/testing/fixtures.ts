/** Test helpers: temp database files and plausible epoch records. Used by *.test.ts only. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EpochMetrics, LayerSnapshot, MeasureStats } from '../../shared/metrics';
import type { EpochRecord } from '../../shared/store-types';

/** A fresh temp folder and a database path inside a not-yet-existing subfolder (openDatabase creates it). */
export function tempDbFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-store-'));
  return { dir, file: path.join(dir, 'data', 'ffr.sqlite') };
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function stats(values: number[]): MeasureStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? 0,
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    histogram: { edges: [0, 0.5, 1], counts: [values.filter((v) => v < 0.5).length, values.filter((v) => v >= 0.5).length] },
    values,
  };
}

export function metrics(epoch: number, overrides: Partial<EpochMetrics> = {}): EpochMetrics {
  return {
    epoch,
    trainLoss: 1 / epoch,
    trainCrossEntropy: 0.9 / epoch,
    trainAccuracy: 0.8 + epoch / 100,
    valLoss: 1.05 / epoch,
    valAccuracy: 0.79 + epoch / 100,
    testLoss: 1.1 / epoch,
    testAccuracy: 0.78 + epoch / 100,
    ffrLength: 3 - epoch / 10,
    ffrCurvature: 0.5,
    regLoss: 0.06,
    lr: 0.05,
    seconds: 12.5,
    ...overrides,
  };
}

export function snapshot(layer: string, overrides: Partial<LayerSnapshot> = {}): LayerSnapshot {
  return {
    layer,
    kind: 'conv',
    channels: 4,
    structuredSparsity: 0.25,
    structuredMeasure: 'spread',
    gammaSparsity: 0.25,
    normSparsity: 0,
    unstructuredSparsity: 0.01,
    segmentLength: 1.5,
    turningAngle: 0.3,
    activity: stats([0, 0.4, 0.9, 1]),
    spread: stats([0, 0.3, 0.8, 1]),
    gamma: stats([0.001, 0.5, 0.8, 1]),
    filterNorm: stats([0.7, 0.8, 0.9, 1]),
    ...overrides,
  };
}

export function epochRecord(epoch: number, withCheckpoint = true): EpochRecord {
  return {
    metrics: metrics(epoch),
    snapshots: [snapshot('conv1'), snapshot('conv2'), snapshot('fc1', { kind: 'dense', gamma: null, gammaSparsity: null })],
    ...(withCheckpoint ? { checkpoint: { path: `/ckpt/epoch-${epoch}.bin`, bytes: 1000 + epoch } } : {}),
  };
}

/** Step rows of one epoch: `steps` steps recorded every `every` steps (window means), loss falling. */
export function stepRows(epoch: number, steps: number, every = 1): import('../../shared/metrics').StepScalars[] {
  const rows = [];
  for (let s = every; s <= steps; s += every) {
    const step = (epoch - 1) * steps + s;
    rows.push({
      step, epoch, time: 1_700_000_000_000 + step * 100, window: every, loss: 2 / step, crossEntropy: 1.5 / step, accuracy: Math.min(1, step / 100),
      ffrLength: 3, ffrCurvature: 1, regLoss: 0.5 / step, lr: 0.05, stepMs: 100, rssBytes: 1e8 + step, tensorBytes: 1e6,
    });
  }
  return rows;
}
