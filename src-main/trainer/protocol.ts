/**
 * The message protocol between a host (CLI, `ffr serve`, Electron main) and a trainer process.
 * Each trainer process runs one job, then exits. Every message is validated on receipt, in both
 * directions, so a malformed message is a clear error rather than undefined behaviour.
 *
 * host → trainer:  run(job), cancel
 * trainer → host:  started, progress*, epoch*, log*, result?, then exactly one of done | failed
 */
import { z } from 'zod';
import { RunConfig } from '../shared/run-config';
import { EpochRecord, ModelInfo } from '../shared/store-types';

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

/**
 * Jobs other than training (prune, sweep, export, evaluate) carry their own payload, validated by
 * their handler in trainer/jobs/; the protocol only fixes the envelope.
 */
export const ToolJob = z.object({
  kind: z.enum(['prune', 'sweep', 'export', 'evaluate']),
  backend: z.enum(['auto', 'tensorflow', 'onednn', 'wasm', 'cpu']),
  payload: z.record(z.string(), z.unknown()),
});
export type ToolJob = z.infer<typeof ToolJob>;

export const TrainerJob = z.union([TrainJob, ToolJob]);
export type TrainerJob = z.infer<typeof TrainerJob>;

export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), job: TrainerJob }),
  z.object({ type: z.literal('cancel') }),
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
  z.object({ type: z.literal('epoch'), record: EpochRecord }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  /** A tool job's outcome (prune report, sweep points, export details). */
  z.object({ type: z.literal('result'), result: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('done'), status: z.enum(['completed', 'cancelled']) }),
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type TrainerMessage = z.infer<typeof TrainerMessage>;
