/**
 * Shapes of what pruning, sweeps and exports store as opaque JSON (prunes.options/report,
 * sweeps.options/points, exports.report), and what the CLI and the renderer read back.
 *
 * Runtime-free apart from zod: the renderer imports this file.
 */
import { z } from 'zod';

/**
 * Channel importance (docs/pruning.md):
 * - spread: standard deviation of the channel's output over the probe batch and positions. A channel
 *   whose output is constant (dead, or γ≈0 leaving relu(β)) scores 0; pruning folds its constant into
 *   the next layer's bias.
 * - activity: mean |output| over the probe batch (a constant relu(β) channel looks active).
 * - l1, l2: norm of the output filter (meaningless under BN, which rescales it away).
 * - bn: |γ| of the channel's batch norm (network slimming's measure); the filter's L2 norm without BN.
 */
export const PRUNE_CRITERIA = ['spread', 'activity', 'l1', 'l2', 'bn'] as const;
export const PruneCriterion = z.enum(PRUNE_CRITERIA);
export type PruneCriterion = z.infer<typeof PruneCriterion>;

export const PRUNE_SCOPES = ['layer', 'global'] as const;
export const PruneScope = z.enum(PRUNE_SCOPES);
export type PruneScope = z.infer<typeof PruneScope>;

/** How a dependency group's importance is formed from its members' channel scores. */
export const GroupAggregate = z.enum(['max', 'mean']);
export type GroupAggregate = z.infer<typeof GroupAggregate>;

/** Which channels to remove: exactly one of threshold or ratio. */
export const SelectionOptions = z
  .object({
    criterion: PruneCriterion,
    scope: PruneScope,
    /** Remove groups whose normalized importance is at most this (normalized to the layer's or the model's maximum). */
    threshold: z.number().min(0).optional(),
    /** Remove this share of channels (per layer or over the whole model). */
    ratio: z.number().min(0).max(1).optional(),
    /** Channels kept at least per layer; absent: refuse a selection that would empty a layer. */
    minChannels: z.number().int().min(1).optional(),
    aggregate: GroupAggregate,
  })
  .refine((o) => (o.threshold === undefined) !== (o.ratio === undefined), {
    message: 'give exactly one of threshold or ratio',
  });
export type SelectionOptions = z.infer<typeof SelectionOptions>;

export const PruneOptions = z.object({
  selection: SelectionOptions,
  /** Fine-tune epochs (0: no fine-tune run). */
  finetuneEpochs: z.number().int().min(0).max(10_000),
  finetuneLr: z.number().positive().max(10).optional(),
});
export type PruneOptions = z.infer<typeof PruneOptions>;

export const LayerCostRow = z.object({
  name: z.string(),
  op: z.string(),
  params: z.object({ before: z.number().int(), after: z.number().int() }),
  macs: z.object({ before: z.number().int(), after: z.number().int() }),
});
export type LayerCostRow = z.infer<typeof LayerCostRow>;

export const LayerWidthRow = z.object({ name: z.string(), before: z.number().int(), after: z.number().int() });
export type LayerWidthRow = z.infer<typeof LayerWidthRow>;

/** A dependency group: channels that are removed together or not at all. */
export const GroupRow = z.object({
  id: z.number().int(),
  /** "layer:channel" of each conv/dense output channel in the group. */
  members: z.array(z.string()),
  importance: z.number(),
  removed: z.boolean(),
  /** Why a group was kept although it met the criterion (min channels, constant not foldable, fixed). */
  keptBecause: z.string().nullable(),
});
export type GroupRow = z.infer<typeof GroupRow>;

export const FoldRow = z.object({ layer: z.string(), channel: z.number().int(), value: z.number(), into: z.array(z.string()) });
export type FoldRow = z.infer<typeof FoldRow>;

export const PruneReport = z.object({
  arch: z.string(),
  criterion: PruneCriterion,
  scope: PruneScope,
  threshold: z.number().nullable(),
  ratio: z.number().nullable(),
  params: z.object({ before: z.number().int(), after: z.number().int() }),
  macs: z.object({ before: z.number().int(), after: z.number().int() }),
  widths: z.array(LayerWidthRow),
  layerCosts: z.array(LayerCostRow),
  /** Groups with more than one member, or that were kept for a reason; singletons are summarized in widths. */
  groups: z.array(GroupRow),
  groupCount: z.number().int(),
  /**
   * Per prunable layer, the indices of the output channels (filters of the original model) that
   * were removed, ascending: the architecture diff. Absent in prunes recorded before it was kept.
   */
  removedChannels: z.record(z.string(), z.array(z.number().int().min(0))).optional(),
  folded: z.array(FoldRow),
  /** On the test split (reported, never used to choose). */
  accuracy: z.object({ before: z.number(), pruned: z.number(), finetuned: z.number().nullable() }),
  evaluatedOn: z.number().int(),
  /** The same on the run's validation set (null for runs without one, and prunes stored before it existed). */
  validation: z.object({ before: z.number(), pruned: z.number(), images: z.number().int() }).nullable().default(null),
  sourceCheckpoint: z.string(),
  sourceEpoch: z.number().int(),
});
export type PruneReport = z.infer<typeof PruneReport>;

export const SweepOptions = z
  .object({
    criterion: PruneCriterion,
    scope: PruneScope,
    aggregate: GroupAggregate,
    minChannels: z.number().int().min(1),
    thresholds: z.array(z.number().min(0)).min(1).optional(),
    ratios: z.array(z.number().min(0).max(1)).min(1).optional(),
    /**
     * At most this many images of the run's validation set (held out of its training split) are
     * measured: the unpruned reference and every point on the same images. Never the test set.
     */
    valLimit: z.number().int().min(1),
  })
  .refine((o) => (o.thresholds === undefined) !== (o.ratios === undefined), {
    message: 'give exactly one of thresholds or ratios',
  });
export type SweepOptions = z.infer<typeof SweepOptions>;

/**
 * What a sweep's points are compared with: the unpruned model measured on exactly the same images
 * (a point that removes nothing has exactly this accuracy).
 */
export const SweepReference = z.object({
  split: z.literal('val'),
  accuracy: z.number(),
  /** How many images of the split (its first ones). */
  images: z.number().int().min(0),
});
export type SweepReference = z.infer<typeof SweepReference>;

export const SweepPoint = z.object({
  threshold: z.number().optional(),
  ratio: z.number().optional(),
  params: z.number().int(),
  macs: z.number().int(),
  accuracy: z.number(),
  widths: z.record(z.string(), z.number().int()),
});
export type SweepPoint = z.infer<typeof SweepPoint>;

export const ExportReport = z.object({
  format: z.enum(['tfjs', 'onnx']),
  arch: z.string(),
  inputShape: z.array(z.number().int()),
  /** Input layout the exported model expects. */
  layout: z.literal('NHWC'),
  classes: z.number().int(),
  widths: z.record(z.string(), z.number().int()),
  params: z.number().int(),
  macs: z.number().int(),
  accuracy: z.number().nullable(),
  sourceRunId: z.string(),
  pruneId: z.string().nullable(),
  verified: z.boolean(),
  maxAbsDiff: z.number(),
  verifiedOn: z.string(),
  files: z.array(z.string()),
  createdAt: z.string(),
});
export type ExportReport = z.infer<typeof ExportReport>;
