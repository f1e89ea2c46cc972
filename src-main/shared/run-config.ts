/**
 * The configuration of one training run: what the CLI flags, the desktop's "New run" form and a
 * fine-tune request all become before anything is trained. Stored verbatim with every run, so a
 * run can be reproduced and compared field by field.
 *
 * Runtime-free apart from zod: imported by the renderer as well as by the host and the trainer.
 */
import { z } from 'zod';
import type { PruneCriterion } from './prune-types';

export const MODEL_NAMES = [
  'mlp',
  'lenet5',
  'vgg11',
  'vgg13',
  'vgg16',
  'vgg19',
  'resnet20',
  'resnet32',
  'resnet56',
  'resnet110',
] as const;
export const ModelName = z.enum(MODEL_NAMES);
export type ModelName = z.infer<typeof ModelName>;

export const DATASET_NAMES = ['mnist', 'cifar10', 'cifar100', 'synthetic', 'folder'] as const;
export const DatasetName = z.enum(DATASET_NAMES);
export type DatasetName = z.infer<typeof DatasetName>;

export const REGULARIZERS = ['ffr', 'l1', 'group-lasso', 'slimming', 'none'] as const;
export const RegularizerName = z.enum(REGULARIZERS);
export type RegularizerName = z.infer<typeof RegularizerName>;

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export const BackendChoice = z.enum(BACKEND_CHOICES);
export type BackendChoice = z.infer<typeof BackendChoice>;
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** Image shape as [height, width, channels]. */
export const ImageShape = z.tuple([
  z.number().int().min(1).max(512),
  z.number().int().min(1).max(512),
  z.number().int().min(1).max(16),
]);
export type ImageShape = z.infer<typeof ImageShape>;

/** Which dataset a run trains on and where its files are. */
export const DatasetRef = z.object({
  name: DatasetName,
  /** Folder holding CIFAR binaries or an image folder; required for cifar10, cifar100, folder. */
  dataDir: z.string().min(1).optional(),
  /** synthetic only: image shape, class count and sample counts. */
  shape: ImageShape.optional(),
  classes: z.number().int().min(2).max(1000).optional(),
  trainSize: z.number().int().min(1).max(1_000_000).optional(),
  testSize: z.number().int().min(1).max(1_000_000).optional(),
});
export type DatasetRef = z.infer<typeof DatasetRef>;

const positive = z.number().positive();
const nonNegative = z.number().min(0);

/**
 * How consecutive hidden features are brought into one space (docs/ffr.md, "Alignment"):
 * - rank-pad (default): each feature's channels ordered by their batch energy, then pooled to the
 *   coarser grid and zero-padded to the larger count: permutation-equivariant, and the channels
 *   compared with zero are the weakest ones of the wider layer.
 * - gram: each feature replaced by its samples' cosine-similarity matrix (width-free).
 * - shortcut: only taps joined by an identity (or option-A) shortcut, where channel c is the same
 *   channel on both sides (ResNets; zero for networks without shortcuts, which is refused).
 * - index-pad: channel i of one layer against channel i of the next, zero-padded by index: NOT
 *   equivariant (the dead channels are those with index ≥ the neighbour's width). Was `pad-pool`.
 * - stage: only consecutive features of equal shape, channel i against channel i.
 */
export const FFR_ALIGNS = ['rank-pad', 'gram', 'shortcut', 'index-pad', 'stage'] as const;
export type FfrAlign = (typeof FFR_ALIGNS)[number];
/** Names stored by earlier versions, and what they meant: runs stored with them keep their meaning. */
const LEGACY_ALIGNS: Record<string, FfrAlign> = { 'pad-pool': 'index-pad' };
export const FfrAlign = z.preprocess(
  (v) => (typeof v === 'string' && v in LEGACY_ALIGNS ? LEGACY_ALIGNS[v] : v),
  z.enum(FFR_ALIGNS),
);

export const FfrOptions = z.object({
  /** Weight of the trajectory length term. */
  lambdaLength: nonNegative.max(100),
  /** Weight of the total absolute curvature term. */
  lambdaCurvature: nonNegative.max(100),
  /** How consecutive features of different shapes are compared (see FFR_ALIGNS). */
  align: FfrAlign,
  /** Total absolute curvature as turning angles or as second differences. */
  curvature: z.enum(['angle', 'second-difference']),
  /** Length as the sum of per-channel increment norms (group) or as the plain Euclidean length. */
  norm: z.enum(['channel', 'l2']),
});
export type FfrOptions = z.infer<typeof FfrOptions>;

/**
 * What one group of the group-lasso baseline holds, per output channel of a prunable layer:
 * - channel (default): the filter (its kernel slice and bias) with its BN γ and β: everything that
 *   makes the channel's output, so driving the group to zero silences the channel even under BN.
 * - channel+consumers: also the next layers' input slices that read the channel (group-level
 *   pruning's group, as in Torch-Pruning).
 * - filter: the filter alone. Under BN this is rescaled away and never silences a channel; it is
 *   what runs stored before this option existed used.
 */
export const GROUP_LASSO_GROUPS = ['channel', 'channel+consumers', 'filter'] as const;
export const GroupLassoGroup = z.enum(GROUP_LASSO_GROUPS);
export type GroupLassoGroup = z.infer<typeof GroupLassoGroup>;

export const RunConfig = z.object({
  model: ModelName,
  /** Channel-width multiplier (VGG, ResNet, LeNet, MLP hidden sizes). */
  width: positive.max(8),
  /** ResNet shortcut between stages: A = strided identity, zero-padded channels; B = 1×1 conv + BN. */
  shortcut: z.enum(['A', 'B']),
  dataset: DatasetRef,
  trainLimit: z.number().int().positive().optional(),
  testLimit: z.number().int().positive().optional(),
  /** Pad-4 random crop + horizontal flip (CIFAR-style data only). */
  augment: z.boolean(),
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).max(8192),
  optimizer: z.enum(['sgd', 'adam']),
  lr: positive.max(10),
  momentum: nonNegative.max(0.999),
  weightDecay: nonNegative.max(1),
  schedule: z.enum(['cosine', 'step', 'constant']),
  /** step schedule: multiply the rate by stepGamma every stepEvery epochs. */
  stepEvery: z.number().int().positive(),
  stepGamma: positive.max(1),
  regularizer: RegularizerName,
  ffr: FfrOptions,
  /** Weight of the baseline regularizers (l1, group-lasso, slimming). */
  lambda: nonNegative.max(100),
  /** group-lasso only: what one group holds. Absent in runs stored before it existed: those used 'filter'. */
  groupLassoGroup: GroupLassoGroup.default('filter'),
  /** A channel is counted as pruned-away ("dead") when its relative activity is at most this. */
  sparsityThreshold: positive.max(1),
  /** Images in the fixed probe batch used for activity snapshots. */
  probeSize: z.number().int().min(1).max(4096),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  backend: BackendChoice,
});
export type RunConfig = z.infer<typeof RunConfig>;

/**
 * Defaults, chosen to show the FFR effect on bundled MNIST in a few epochs on two CPU cores.
 * See docs/ffr.md for how the FFR weights were picked.
 */
export const DEFAULT_FFR: FfrOptions = {
  // Measured on bundled MNIST, LeNet-5 (BN), 4,000 training digits, 3 epochs, seeds 1–3, λ chosen on
  // 1,000 held-out training digits (bench/ffr-study.ts; docs/ffr.md has the table): rank-pad λ_len
  // 0.3 leaves ~3 % of the channels prunable, 0.4 ~10 % at −1.2 points, 0.5 ~23 % at −2.3 points,
  // 1 collapses to 86 %. 0.4 is the largest within 2 points of no regularizer. Other networks need
  // their own λ (ResNet-20 collapses at 0.05): train a few values and use the sensitivity sweep.
  lambdaLength: 0.4,
  lambdaCurvature: 0,
  align: 'rank-pad',
  curvature: 'angle',
  norm: 'channel',
};

/**
 * Baseline weights that show their effect in the default budget (LeNet-5, bundled MNIST, 3 epochs;
 * docs/ffr.md): group lasso 0.05 leaves ~40 % of the channels prunable at no cost (0.1: 80 % at
 * −1.4 points; 3e-2 and below: none); slimming 3e-2 ~20 % at −1 point (1e-2 and below: none); L1 is
 * unstructured — 1e-3 zeroes ~17 % of the weights and no channel.
 */
export const DEFAULT_BASELINE_LAMBDA: Record<Exclude<RegularizerName, 'ffr' | 'none'>, number> = {
  l1: 1e-3,
  'group-lasso': 0.05,
  slimming: 3e-2,
};

/**
 * The channel importance a prune uses when the request names none, per regularizer of the source
 * run: what that regularizer drives to zero (docs/pruning.md). `spread` counts a channel whose output
 * is constant (dead, or γ≈0 leaving relu(β)) as unimportant; slimming shrinks |γ| directly.
 */
export const DEFAULT_IMPORTANCE: Record<RegularizerName, PruneCriterion> = {
  ffr: 'spread',
  l1: 'spread',
  'group-lasso': 'spread',
  slimming: 'bn',
  none: 'spread',
};

/**
 * Learning rates that train each architecture stably with SGD + momentum 0.9: networks with batch
 * norm take the usual 0.05; the MLP (no BN) diverges there and gets 0.01.
 */
export function defaultLearningRate(model: ModelName): number {
  return model === 'mlp' ? 0.01 : 0.05;
}

export function defaultRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const base: RunConfig = {
    model: 'lenet5',
    width: 1,
    shortcut: 'A',
    dataset: { name: 'mnist' },
    augment: false,
    epochs: 3,
    batchSize: 64,
    optimizer: 'sgd',
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 5e-4,
    schedule: 'cosine',
    stepEvery: 30,
    stepGamma: 0.1,
    regularizer: 'ffr',
    ffr: DEFAULT_FFR,
    lambda: 1e-4,
    groupLassoGroup: 'channel',
    sparsityThreshold: 1e-2,
    probeSize: 256,
    seed: 1,
    backend: 'auto',
  };
  return RunConfig.parse({ ...base, ...overrides, ffr: { ...base.ffr, ...(overrides.ffr ?? {}) } });
}
