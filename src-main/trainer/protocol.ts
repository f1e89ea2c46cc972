/**
 * The message protocol between a host (CLI, `ffr serve`, Electron main) and a trainer process.
 * Each trainer process runs one job, then exits. Every message is validated on receipt, in both
 * directions, with the schemas below: one per job kind for what it is given and one for what it
 * answers, the same on both sides of the process boundary.
 *
 * host → trainer:  run(job), cancel, exit
 * trainer → host:  started?, progress*, scalars*, epoch*, log*, result?, then exactly one of done | failed;
 *                  the host answers the final message with `exit` (the trainer then exits: a
 *                  process cannot tell when its last message has left under Electron's utility
 *                  process, so the host says when it has arrived).
 *
 * Two transports carry these messages. IPC (the default): the host forks the trainer and they talk
 * over the channel. A job folder (FFR_TRAINER_TRANSPORT=file, for Slurm): the trainer reads its job
 * from `<FFR_JOB_DIR>/job.json`, appends each message as one JSON line to `messages.jsonl` (fsynced
 * at `started`, every `epoch` and the final message) and exits after the final one; a file
 * `cancel` in the folder asks it to stop. No host process exists on that machine (JOB_FOLDER).
 *
 * Runtime-free apart from zod and the shared DTOs: the host imports this file, never the engine.
 */
import { z } from 'zod';
import { BackendStatus, DatasetDescription, DatasetSample, ErrorCode, SampleRequest } from '../shared/contract';
import { PruneReport, SelectionOptions, SweepOptions, SweepPoint, SweepReference } from '../shared/prune-types';
import { StepScalars } from '../shared/metrics';
import { DEFAULT_VAL_FRACTION, DatasetRef, RunConfig, ValFraction as RunConfigValFraction } from '../shared/run-config';
import { EpochRecord, ExportFormat, ModelInfo } from '../shared/store-types';

// ---------------------------------------------------------------------------------------------
// Training

export const StartFrom = z.discriminatedUnion('from', [
  z.object({ from: z.literal('scratch') }),
  /** Resume: weights, optimizer state and epoch count from a checkpoint. */
  z.object({ from: z.literal('checkpoint'), path: z.string().min(1) }),
  /** Fine-tune: weights (and architecture) from a model file, fresh optimizer, epoch 0. */
  z.object({ from: z.literal('model'), path: z.string().min(1) }),
]);
export type StartFrom = z.infer<typeof StartFrom>;

export const TrainJob = z.object({
  kind: z.literal('train'),
  runId: z.string(),
  config: RunConfig,
  checkpointDir: z.string().min(1),
  start: StartFrom,
});
export type TrainJob = z.infer<typeof TrainJob>;

// ---------------------------------------------------------------------------------------------
// Tool jobs: short jobs outside the training queue. Each kind: payload → result.

/** What prune, sweep and export work on: a completed run's config (data, backend) and a model file. */
export const SourcePayload = z.object({
  config: RunConfig,
  modelPath: z.string().min(1),
});

export const PrunePayload = SourcePayload.extend({
  selection: SelectionOptions,
  /** Where the pruned model is written (atomically). */
  outPath: z.string().min(1),
});
/** The prune report as far as the trainer knows it; the host adds what the request said. */
export const PruneJobResult = PruneReport.omit({ arch: true, criterion: true, scope: true, threshold: true, ratio: true, sourceCheckpoint: true });

export const SweepPayload = SourcePayload.extend({ options: SweepOptions });
export const SweepJobResult = z.object({ points: z.array(SweepPoint), evaluatedOn: z.number().int().min(0), reference: SweepReference });

export const ExportPayload = SourcePayload.extend({
  format: ExportFormat,
  /** The (temporary) folder the format is written into. */
  dir: z.string().min(1),
  samples: z.number().int().min(1).max(256),
});
export const ExportJobResult = z.object({
  files: z.array(z.string()),
  maxAbsDiff: z.number(),
  verifiedOn: z.string(),
  params: z.number().int(),
  macs: z.number().int(),
  widths: z.record(z.string(), z.number().int()),
  arch: z.string(),
  inputShape: z.array(z.number().int()),
  classes: z.number().int(),
});

/** Load a dataset in full (every record checked) and describe it, with sample images if asked. */
export const DatasetPayload = z.object({
  ref: DatasetRef,
  samples: SampleRequest.nullable(),
  /** The validation share the description counts (a run's, or the default of new runs). */
  valFraction: RunConfigValFraction.default(DEFAULT_VAL_FRACTION),
});
export const DatasetJobResult = z.object({
  description: DatasetDescription,
  augmentable: z.boolean(),
  samples: z.array(DatasetSample).nullable(),
});

/** Which compute backends load here, and why the others do not (loading them is the point). */
export const BackendsPayload = z.object({});
export const BackendsJobResult = z.object({ backends: z.array(BackendStatus), wasmThreads: z.number().int().min(1) });

/** Every tool job kind: its payload schema and its result schema. */
export const TOOL_JOBS = {
  prune: { payload: PrunePayload, result: PruneJobResult },
  sweep: { payload: SweepPayload, result: SweepJobResult },
  export: { payload: ExportPayload, result: ExportJobResult },
  dataset: { payload: DatasetPayload, result: DatasetJobResult },
  backends: { payload: BackendsPayload, result: BackendsJobResult },
} as const;
export type ToolKind = keyof typeof TOOL_JOBS;
export type ToolPayload<K extends ToolKind> = z.output<(typeof TOOL_JOBS)[K]['payload']>;
export type ToolOutput<K extends ToolKind> = z.output<(typeof TOOL_JOBS)[K]['result']>;

export const ToolJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prune'), payload: PrunePayload }),
  z.object({ kind: z.literal('sweep'), payload: SweepPayload }),
  z.object({ kind: z.literal('export'), payload: ExportPayload }),
  z.object({ kind: z.literal('dataset'), payload: DatasetPayload }),
  z.object({ kind: z.literal('backends'), payload: BackendsPayload }),
]);
export type ToolJob = z.infer<typeof ToolJob>;
export type ToolJobOf<K extends ToolKind> = Extract<ToolJob, { kind: K }>;

/** A tool job's answer, tagged with its kind so the host can check it answers the job it sent. */
export const ToolResult = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prune'), value: PruneJobResult }),
  z.object({ kind: z.literal('sweep'), value: SweepJobResult }),
  z.object({ kind: z.literal('export'), value: ExportJobResult }),
  z.object({ kind: z.literal('dataset'), value: DatasetJobResult }),
  z.object({ kind: z.literal('backends'), value: BackendsJobResult }),
]);
export type ToolResult = z.infer<typeof ToolResult>;

// ---------------------------------------------------------------------------------------------
// Messages

export const TrainerJob = z.discriminatedUnion('kind', [TrainJob, ...ToolJob.options]);
export type TrainerJob = z.infer<typeof TrainerJob>;

export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), job: TrainerJob }),
  z.object({ type: z.literal('cancel') }),
  /** The host has the final message: exit now. */
  z.object({ type: z.literal('exit') }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

export const TrainerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), backend: z.string(), modelInfo: ModelInfo.optional() }),
  z.object({
    type: z.literal('progress'),
    epoch: z.number().int(),
    step: z.number().int(),
    steps: z.number().int(),
    loss: z.number(),
    lr: z.number(),
  }),
  /** Step scalars every few steps; the host keeps them with the epoch they belong to. */
  z.object({ type: z.literal('scalars'), row: StepScalars }),
  z.object({ type: z.literal('epoch'), record: EpochRecord }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  /** A tool job's progress in its own units (a sweep's points done of total). */
  z.object({ type: z.literal('tool-progress'), done: z.number().int().min(0), total: z.number().int().min(0) }),
  /** A tool job's outcome (prune report, sweep points, export details, dataset description…). */
  z.object({ type: z.literal('result'), result: ToolResult }),
  z.object({ type: z.literal('done'), status: z.enum(['completed', 'cancelled']) }),
  /** `code`: the contract error code when the job failed on its input (a corrupt dataset file…). */
  z.object({ type: z.literal('failed'), error: z.string(), code: ErrorCode.optional() }),
]);
export type TrainerMessage = z.infer<typeof TrainerMessage>;

/** Final messages: after one of these the trainer sends nothing more and waits for `exit`. */
export function isFinalMessage(m: TrainerMessage): m is Extract<TrainerMessage, { type: 'done' | 'failed' }> {
  return m.type === 'done' || m.type === 'failed';
}

/** The environment variables and file names of the job-folder transport (Slurm jobs). */
export const JOB_FOLDER = {
  /** `file` selects the job-folder transport. */
  transportEnv: 'FFR_TRAINER_TRANSPORT',
  /** The job folder (absolute). */
  dirEnv: 'FFR_JOB_DIR',
  /** The job (a TrainerJob, `train` only), written by the host before submitting. */
  job: 'job.json',
  /** The trainer's messages, one JSON line each, appended; the host reads them by byte offset. */
  messages: 'messages.jsonl',
  /** Raised by the host to cancel (checked at every step, like FFR_TRAINER_CANCEL_FILE). */
  cancel: 'cancel',
} as const;

/**
 * The environment variable naming the host's pid. Both launchers set it (hostWatchEnv); a trainer
 * stops within a fraction of a second once that process is gone (trainer/host-watch.ts).
 */
export const HOST_PID_ENV = 'FFR_HOST_PID';

/** The environment a launcher gives its trainer so that it can watch this host. */
export function hostWatchEnv(): Record<string, string> {
  return { [HOST_PID_ENV]: String(process.pid) };
}
