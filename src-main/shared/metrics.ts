/**
 * What a run records: one metrics row per epoch and one snapshot per prunable layer per epoch
 * (docs/schema.md, docs/ffr.md). These shapes cross every boundary: trainer → host messages, the store, the
 * HTTP/IPC contract and the renderer.
 */
import { z } from 'zod';

export const EpochMetrics = z.object({
  epoch: z.number().int().min(1),
  /** Mean total training loss (cross-entropy + regularizer) over the epoch's batches. */
  trainLoss: z.number(),
  trainCrossEntropy: z.number(),
  trainAccuracy: z.number(),
  /**
   * Loss and accuracy on the validation set held out of the training split (null in runs without
   * one: stored before it existed). What automatic choices use; test is reported beside it.
   */
  valLoss: z.number().nullable().default(null),
  valAccuracy: z.number().nullable().default(null),
  testLoss: z.number(),
  testAccuracy: z.number(),
  /** Unweighted FFR terms, mean over batches; computed for every run so baselines can be compared. */
  ffrLength: z.number(),
  ffrCurvature: z.number(),
  /** The weighted regularizer term that was added to the loss (0 for `none`). */
  regLoss: z.number(),
  lr: z.number(),
  seconds: z.number(),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

export const Histogram = z.object({
  /** Bin edges: counts.length + 1 values. */
  edges: z.array(z.number()),
  counts: z.array(z.number().int()),
});
export type Histogram = z.infer<typeof Histogram>;

/** Distribution of one per-channel measure within one layer. */
export const MeasureStats = z.object({
  min: z.number(),
  median: z.number(),
  max: z.number(),
  histogram: Histogram,
  /** The per-channel values themselves (at most a few hundred per layer). */
  values: z.array(z.number()),
});
export type MeasureStats = z.infer<typeof MeasureStats>;

export const LayerSnapshot = z.object({
  layer: z.string(),
  kind: z.enum(['conv', 'dense']),
  channels: z.number().int(),
  /**
   * The headline structured-sparsity figure: share of channels whose relative `structuredMeasure`
   * is ≤ the run's sparsity threshold.
   */
  structuredSparsity: z.number(),
  /**
   * spread (std of the output over the probe batch and positions: dead and constant channels count),
   * or activity (mean |output|) for snapshots recorded before spread existed.
   */
  structuredMeasure: z.enum(['spread', 'activity']),
  /** Same share measured by |γ| relative to the layer's largest (null without BN). */
  gammaSparsity: z.number().nullable(),
  /** Same share measured by filter L2 norm relative to the layer's largest. */
  normSparsity: z.number(),
  /** Share of weights with |w| ≤ 1e-3 · max|w| in the layer. */
  unstructuredSparsity: z.number(),
  /** The layer's FFR contribution on the probe batch (null where the layer is not a tap). */
  segmentLength: z.number().nullable(),
  turningAngle: z.number().nullable(),
  /** Relative activity: mean |activation| of each channel / the layer's most active channel. */
  activity: MeasureStats,
  /** Relative spread: std of each channel's output / the layer's largest (null in older snapshots). */
  spread: MeasureStats.nullable(),
  gamma: MeasureStats.nullable(),
  filterNorm: MeasureStats,
});
export type LayerSnapshot = z.infer<typeof LayerSnapshot>;

export const RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

/** A run in one of these is owned by the job manager: it cannot be resumed or deleted until it ends. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];

/** A run that ended in one of these can continue from its last checkpoint (`runs.resume`). */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['interrupted', 'cancelled', 'failed'];

export function isActiveStatus(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export function isResumableStatus(status: RunStatus): boolean {
  return RESUMABLE_STATUSES.includes(status);
}

/**
 * Scalars recorded every few steps (engine/train/loop.ts: about STEP_ROWS_PER_EPOCH rows per epoch),
 * each the mean over the steps since the previous row, so nothing between two rows is left out.
 */
export const StepScalars = z.object({
  /** Global step at the end of the window, 1-based across epochs (epoch e, step s → (e−1)·steps + s). */
  step: z.number().int().min(1),
  epoch: z.number().int().min(1),
  /** Wall-clock time at the end of the window, ms since 1970. */
  time: z.number(),
  /** Steps this row averages. */
  window: z.number().int().min(1),
  /** Total loss (cross-entropy + weighted regularizer), cross-entropy and batch accuracy. */
  loss: z.number(),
  crossEntropy: z.number(),
  accuracy: z.number(),
  /** Unweighted FFR terms and the weighted regularizer that was added to the loss. */
  ffrLength: z.number(),
  ffrCurvature: z.number(),
  regLoss: z.number(),
  /** The learning rate of the window's last step. */
  lr: z.number(),
  /** Mean wall time per step (batch preparation, forward, backward, update). */
  stepMs: z.number().min(0),
  /** The trainer process's resident memory and the bytes tfjs held in tensors, at the window's end. */
  rssBytes: z.number().int().min(0),
  tensorBytes: z.number().int().min(0),
});
export type StepScalars = z.infer<typeof StepScalars>;

/** One line of a run's log (trainer messages, tool jobs on the run, the host's status lines). */
export const LogLine = z.object({
  /** 1, 2, 3 … per run: the order lines were written in. */
  seq: z.number().int().min(1),
  time: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;
