/**
 * What the store hands out: camelCase DTOs for every table (docs/schema.md). The host's services
 * return these over IPC/HTTP, so the renderer imports the same schemas and types.
 *
 * Runtime-free apart from zod: no Node imports here.
 *
 * Options and reports of prunes, sweeps and exports are kept as opaque JSON objects: their precise
 * shapes belong to the engine modules that produce them (prune/, export/), which validate them with
 * their own schemas. The store only guarantees "a JSON object" so it never has to change when those
 * reports gain a field.
 */
import { z } from 'zod';
import { DatasetName, ImageShape, RunConfig } from './run-config';
import { EpochMetrics, LayerSnapshot, RunStatus } from './metrics';
import { Executor, SlurmJob } from './executor';

/** Any JSON object (validated as an object on read; its fields belong to the producing module). */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

/** ISO-8601 UTC timestamp as written by the store, e.g. "2026-11-27T18:35:00.000Z". */
export const Timestamp = z.string().min(1);
export type Timestamp = z.infer<typeof Timestamp>;

// ---------------------------------------------------------------------------------------------
// Projects

export const Project = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Project = z.infer<typeof Project>;

/** A project as listed: with how many runs and datasets it holds. */
export const ProjectSummary = Project.extend({
  runCount: z.number().int().min(0),
  datasetCount: z.number().int().min(0),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

/** Project names: what a user types; trimmed, 1–200 characters, unique ignoring case. */
export const ProjectName = z.string().trim().min(1).max(200);

// ---------------------------------------------------------------------------------------------
// Datasets

export const DatasetKind = DatasetName;
export type DatasetKind = z.infer<typeof DatasetKind>;

export const Dataset = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  name: z.string(),
  kind: DatasetKind,
  dataDir: z.string().nullable(),
  shape: ImageShape,
  classes: z.number().int().min(2),
  classNames: z.array(z.string()),
  trainCount: z.number().int().min(0),
  testCount: z.number().int().min(0),
  createdAt: Timestamp,
});
export type Dataset = z.infer<typeof Dataset>;

export const NewDataset = z.object({
  projectId: z.string().nullable().optional(),
  name: z.string().trim().min(1).max(200),
  kind: DatasetKind,
  dataDir: z.string().min(1).nullable().optional(),
  shape: ImageShape,
  classes: z.number().int().min(2).max(1000),
  /** Defaults to "0", "1", … when omitted; otherwise exactly `classes` names. */
  classNames: z.array(z.string()).optional(),
  trainCount: z.number().int().min(0),
  testCount: z.number().int().min(0),
});
export type NewDataset = z.input<typeof NewDataset>;

// ---------------------------------------------------------------------------------------------
// Runs

export const RUN_KINDS = ['train', 'finetune'] as const;
export const RunKind = z.enum(RUN_KINDS);
export type RunKind = z.infer<typeof RunKind>;

/** Statuses a run can end in (markFinished). */
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled', 'interrupted'] as const;
export const FinishedStatus = z.enum(FINISHED_STATUSES);
export type FinishedStatus = z.infer<typeof FinishedStatus>;

/** Size of the model a run trains: totals plus output channels/units per prunable layer, in order. */
export const ModelInfo = z.object({
  params: z.number().int().min(0),
  macs: z.number().int().min(0),
  widths: z.record(z.string(), z.number().int().min(0)),
  /** Output classes (the trainer reports it; runs recorded before it have none). */
  classes: z.number().int().min(2).optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const Tag = z.string().trim().min(1).max(50);
export const Tags = z.array(Tag).max(100);

export const Run = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  parentRunId: z.string().nullable(),
  kind: RunKind,
  name: z.string(),
  status: RunStatus,
  config: RunConfig,
  /** The compute backend actually used (set when the run starts). */
  backend: z.string().nullable(),
  createdAt: Timestamp,
  /** When the latest attempt started (a resumed run restarts it). */
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  /** Wall-clock time of all attempts that ended through markFinished, in milliseconds. */
  durationMs: z.number().int().nullable(),
  epochsDone: z.number().int().min(0),
  error: z.string().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  modelInfo: ModelInfo.nullable(),
  /** Where its trainer runs (docs/slurm.md). */
  executor: Executor.default('local'),
  /** Its latest Slurm job, for a run executed on Slurm. */
  slurmJob: SlurmJob.nullable().default(null),
  /**
   * Only on a queued run a host is holding (not stored): `waiting` for a free trainer slot, or
   * `starting` its trainer (loading the backend and the data, which takes seconds).
   */
  queuePhase: z.enum(['waiting', 'starting']).optional(),
});
export type Run = z.infer<typeof Run>;

export const RunFilter = z.object({
  projectId: z.string().optional(),
  /** One status or any of several. */
  status: z.union([RunStatus, z.array(RunStatus)]).optional(),
  /** A run id for its children; null for top-level runs only; omitted for any. */
  parentRunId: z.string().nullable().optional(),
  kind: RunKind.optional(),
});
export type RunFilter = z.infer<typeof RunFilter>;

/** One layer's snapshot at one epoch, as read back from the store. */
export const SnapshotRow = LayerSnapshot.extend({ epoch: z.number().int().min(1) });
export type SnapshotRow = z.infer<typeof SnapshotRow>;

export const Checkpoint = z.object({
  runId: z.string(),
  epoch: z.number().int().min(0),
  path: z.string(),
  bytes: z.number().int().min(0),
  createdAt: Timestamp,
});
export type Checkpoint = z.infer<typeof Checkpoint>;

/** What the trainer reports at the end of each epoch; written in one transaction. */
export const EpochRecord = z.object({
  metrics: EpochMetrics,
  snapshots: z.array(LayerSnapshot),
  checkpoint: z
    .object({ path: z.string().min(1), bytes: z.number().int().min(0) })
    .optional(),
});
export type EpochRecord = z.infer<typeof EpochRecord>;

// ---------------------------------------------------------------------------------------------
// Prunes, sweeps, exports

export const Prune = z.object({
  id: z.string(),
  sourceRunId: z.string(),
  /** The fine-tune run started from the pruned model, if any. */
  childRunId: z.string().nullable(),
  options: JsonObject,
  report: JsonObject,
  /** The pruned model's weights file. */
  modelPath: z.string(),
  createdAt: Timestamp,
});
export type Prune = z.infer<typeof Prune>;

export const Sweep = z.object({
  id: z.string(),
  sourceRunId: z.string(),
  options: JsonObject,
  points: z.array(JsonObject),
  /** The unpruned model on the points' images (null for sweeps stored before it was recorded). */
  reference: JsonObject.nullable(),
  createdAt: Timestamp,
});
export type Sweep = z.infer<typeof Sweep>;

export const EXPORT_FORMATS = ['tfjs', 'onnx'] as const;
export const ExportFormat = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportRecord = z.object({
  id: z.string(),
  /** The run whose model was exported (null when the export is of a prune's model only). */
  runId: z.string().nullable(),
  pruneId: z.string().nullable(),
  format: ExportFormat,
  dir: z.string(),
  /** File names written, relative to `dir`. */
  files: z.array(z.string()),
  params: z.number().int().min(0),
  macs: z.number().int().min(0),
  /** Whether the written model was reloaded and compared with the source. */
  verified: z.boolean(),
  maxAbsDiff: z.number().nullable(),
  report: JsonObject,
  createdAt: Timestamp,
});
export type ExportRecord = z.infer<typeof ExportRecord>;
