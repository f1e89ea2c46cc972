/**
 * Row shapes shared by more than one repository, and their conversions to DTOs.
 * (The runs, metrics, snapshots and checkpoints repositories all read these tables.)
 */
import { z } from 'zod';
import { RunConfig } from '../../shared/run-config';
import { EpochMetrics, LayerSnapshot, MeasureStats } from '../../shared/metrics';
import { Checkpoint, ModelInfo, Run, SnapshotRow } from '../../shared/store-types';
import { fromJson } from '../json';
import type { StorePaths } from '../paths';

export interface RunRow {
  id: string;
  project_id: string | null;
  parent_run_id: string | null;
  kind: string;
  name: string;
  status: string;
  config: string;
  backend: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  epochs_done: number;
  error: string | null;
  notes: string;
  tags: string;
  model_info: string | null;
  executor?: string;
  /** The latest Slurm job's columns, joined by RUN_SELECT (null without one). */
  sj_job_id?: string | null;
  sj_attempt?: number | null;
  sj_state?: string | null;
  sj_reason?: string | null;
  sj_exit_code?: number | null;
  sj_signal?: number | null;
  sj_job_dir?: string | null;
  sj_submitted_at?: string | null;
  sj_ended_at?: string | null;
}

/**
 * A run row with its latest Slurm job (the highest attempt), if any. Every read of whole run rows
 * goes through this, so a Run always says where it executes. Columns of `runs` are qualified in
 * WHERE/ORDER BY clauses appended to it (`runs.rowid`).
 */
export const RUN_SELECT = `
  SELECT runs.*, sj.job_id AS sj_job_id, sj.attempt AS sj_attempt, sj.state AS sj_state, sj.reason AS sj_reason,
         sj.exit_code AS sj_exit_code, sj.signal AS sj_signal, sj.job_dir AS sj_job_dir,
         sj.submitted_at AS sj_submitted_at, sj.ended_at AS sj_ended_at
    FROM runs
    LEFT JOIN slurm_jobs sj
      ON sj.run_id = runs.id AND sj.attempt = (SELECT MAX(attempt) FROM slurm_jobs WHERE run_id = runs.id)`;

export function toRun(row: RunRow, paths?: StorePaths): Run {
  const what = (column: string): string => `${column} of run "${row.id}"`;
  return Run.parse({
    id: row.id,
    projectId: row.project_id,
    parentRunId: row.parent_run_id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    config: fromJson(RunConfig, row.config, what('config')),
    backend: row.backend,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    epochsDone: row.epochs_done,
    error: row.error,
    notes: row.notes,
    tags: fromJson(z.array(z.string()), row.tags, what('tags')),
    modelInfo: row.model_info === null ? null : fromJson(ModelInfo, row.model_info, what('model_info')),
    executor: row.executor ?? 'local',
    slurmJob:
      row.sj_job_id === null || row.sj_job_id === undefined
        ? null
        : {
            jobId: row.sj_job_id,
            attempt: row.sj_attempt,
            state: row.sj_state,
            reason: row.sj_reason ?? null,
            exitCode: row.sj_exit_code ?? null,
            signal: row.sj_signal ?? null,
            jobDir: paths && row.sj_job_dir ? paths.fromStored(row.sj_job_dir) : row.sj_job_dir,
            submittedAt: row.sj_submitted_at,
            endedAt: row.sj_ended_at ?? null,
          },
  });
}

export interface MetricsRow {
  run_id: string;
  epoch: number;
  train_loss: number;
  train_cross_entropy: number;
  train_accuracy: number;
  /** NULL in runs without a validation set (migration 0006). */
  val_loss: number | null;
  val_accuracy: number | null;
  test_loss: number;
  test_accuracy: number;
  ffr_length: number;
  ffr_curvature: number;
  reg_loss: number;
  lr: number;
  seconds: number;
}

export function toMetrics(row: MetricsRow): EpochMetrics {
  return EpochMetrics.parse({
    epoch: row.epoch,
    trainLoss: row.train_loss,
    trainCrossEntropy: row.train_cross_entropy,
    trainAccuracy: row.train_accuracy,
    valLoss: row.val_loss,
    valAccuracy: row.val_accuracy,
    testLoss: row.test_loss,
    testAccuracy: row.test_accuracy,
    ffrLength: row.ffr_length,
    ffrCurvature: row.ffr_curvature,
    regLoss: row.reg_loss,
    lr: row.lr,
    seconds: row.seconds,
  });
}

/**
 * The per-channel distributions of a snapshot, stored together in `measures`. `spread` is absent in
 * snapshots recorded before it existed; their structured_sparsity was measured by activity.
 */
export const Measures = z.object({
  activity: MeasureStats,
  spread: MeasureStats.optional(),
  gamma: MeasureStats.nullable(),
  filterNorm: MeasureStats,
});

export interface SnapshotDbRow {
  run_id: string;
  epoch: number;
  layer: string;
  position: number;
  kind: string;
  channels: number;
  structured_sparsity: number;
  gamma_sparsity: number | null;
  norm_sparsity: number;
  unstructured_sparsity: number;
  segment_length: number | null;
  turning_angle: number | null;
  measures: string;
}

export function toSnapshot(row: SnapshotDbRow): SnapshotRow {
  const measures = fromJson(
    Measures,
    row.measures,
    `measures of layer "${row.layer}" at epoch ${row.epoch} of run "${row.run_id}"`,
  );
  return SnapshotRow.parse({
    epoch: row.epoch,
    layer: row.layer,
    kind: row.kind,
    channels: row.channels,
    structuredSparsity: row.structured_sparsity,
    structuredMeasure: measures.spread ? 'spread' : 'activity',
    gammaSparsity: row.gamma_sparsity,
    normSparsity: row.norm_sparsity,
    unstructuredSparsity: row.unstructured_sparsity,
    segmentLength: row.segment_length,
    turningAngle: row.turning_angle,
    activity: measures.activity,
    spread: measures.spread ?? null,
    gamma: measures.gamma,
    filterNorm: measures.filterNorm,
  });
}

/** The columns of a snapshot row other than run_id, epoch and position, from the trainer's shape. */
export function snapshotColumns(s: LayerSnapshot): Omit<SnapshotDbRow, 'run_id' | 'epoch' | 'position'> {
  return {
    layer: s.layer,
    kind: s.kind,
    channels: s.channels,
    structured_sparsity: s.structuredSparsity,
    gamma_sparsity: s.gammaSparsity,
    norm_sparsity: s.normSparsity,
    unstructured_sparsity: s.unstructuredSparsity,
    segment_length: s.segmentLength,
    turning_angle: s.turningAngle,
    // structured_sparsity is by spread exactly when spread is stored (structuredMeasure is derived on read).
    measures: JSON.stringify({ activity: s.activity, ...(s.structuredMeasure === 'spread' && s.spread ? { spread: s.spread } : {}), gamma: s.gamma, filterNorm: s.filterNorm }),
  };
}

export interface CheckpointRow {
  run_id: string;
  epoch: number;
  path: string;
  bytes: number;
  created_at: string;
}

/** The row as a DTO; its path made absolute again (rows keep it relative to the data directory). */
export function toCheckpoint(row: CheckpointRow, paths: StorePaths): Checkpoint {
  return Checkpoint.parse({
    runId: row.run_id,
    epoch: row.epoch,
    path: paths.fromStored(row.path),
    bytes: row.bytes,
    createdAt: row.created_at,
  });
}
