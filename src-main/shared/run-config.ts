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

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'onednn', 'wasm', 'cpu'] as const;
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

/** Synthetic data's defaults: what `{ name: 'synthetic' }` draws (catalog/datasets/synthetic.ts). */
export const SYNTHETIC_DEFAULTS = { shape: [28, 28, 1] as ImageShape, classes: 10, trainSize: 512, testSize: 128 };

/** The shape every image of an image folder is resized to, unless the ref gives one. */
export const FOLDER_DEFAULT_SHAPE: ImageShape = [32, 32, 3];

/**
 * A dataset ref with the defaults of its kind written out (synthetic sizes, a folder's image
 * shape), so a stored config says exactly what was trained on, however it was asked for.
 */
export function completeDatasetRef<R extends { name: unknown }>(ref: R): R {
  const given = Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined));
  if (ref.name === 'synthetic') return { name: ref.name, ...SYNTHETIC_DEFAULTS, shape: [...SYNTHETIC_DEFAULTS.shape], ...given } as unknown as R;
  if (ref.name === 'folder') return { name: ref.name, shape: [...FOLDER_DEFAULT_SHAPE], ...given } as unknown as R;
  return ref;
}

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
  /** How consecutive features of different shapes are compared (see FFR_ALIGNS, docs/ffr.md). */
  align: FfrAlign,
  /** Total absolute curvature as turning angles or as second differences. */
  curvature: z.enum(['angle', 'second-difference']),
  /** Length as the sum of per-channel increment norms (group) or as the plain Euclidean length. */
  norm: z.enum(['channel', 'l2']),
});
export type FfrOptions = z.infer<typeof FfrOptions>;

/** A share of the training split held out for validation. */
export const ValFraction = z.number().min(0).max(0.5);

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
/** The group of new group-lasso runs (runs stored before the option existed read back as 'filter'). */
export const DEFAULT_GROUP_LASSO_GROUP: GroupLassoGroup = 'channel';

/** Fields every run has, whatever its regularizer. */
const RunConfigCommon = z.object({
  model: ModelName,
  /** Channel-width multiplier (VGG, ResNet, LeNet, MLP hidden sizes). */
  width: positive.max(8),
  /** ResNet shortcut between stages: A = strided identity, zero-padded channels; B = 1×1 conv + BN. */
  shortcut: z.enum(['A', 'B']),
  dataset: DatasetRef,
  trainLimit: z.number().int().positive().optional(),
  testLimit: z.number().int().positive().optional(),
  /**
   * Share of the training split held out as the validation set (seeded, stratified, the same images
   * for every run of a dataset; docs/datasets.md). Sweeps, thresholds and every automatic choice are
   * made on it, never on the test set. 0 only in runs stored before the split existed.
   */
  valFraction: ValFraction.default(0),
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
  /** A channel is counted as pruned-away ("dead") when its relative activity is at most this. */
  sparsityThreshold: positive.max(1),
  /** Images in the fixed probe batch used for activity snapshots. */
  probeSize: z.number().int().min(1).max(4096),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  backend: BackendChoice,
});

export const BASELINE_REGULARIZERS = ['l1', 'group-lasso', 'slimming'] as const;
export type BaselineRegularizer = (typeof BASELINE_REGULARIZERS)[number];

export function isBaselineRegularizer(r: unknown): r is BaselineRegularizer {
  return (BASELINE_REGULARIZERS as readonly unknown[]).includes(r);
}

/** Weight of the baseline regularizers (l1, group-lasso, slimming). */
const BaselineLambda = nonNegative.max(100);

/**
 * A run's configuration. It holds only the settings its regularizer uses: `ffr` (both λ and the
 * variant) for FFR, `lambda` for the baselines (and `groupLassoGroup` for group lasso), none of
 * them for `none`. Parsing drops the others, so configs stored before this shape (every run had
 * both weights) read back clean.
 */
export const RunConfig = z.discriminatedUnion('regularizer', [
  RunConfigCommon.extend({ regularizer: z.literal('ffr'), ffr: FfrOptions }),
  RunConfigCommon.extend({ regularizer: z.enum(['l1', 'slimming']), lambda: BaselineLambda }),
  RunConfigCommon.extend({
    regularizer: z.literal('group-lasso'),
    lambda: BaselineLambda,
    /** What one group holds. Absent in runs stored before it existed: those used 'filter'. */
    groupLassoGroup: GroupLassoGroup.default('filter'),
  }),
  RunConfigCommon.extend({ regularizer: z.literal('none') }),
]);
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

/**
 * Whether CIFAR-style pad-crop-flip suits a kind's images: not digits, and not synthetic gratings
 * (a horizontal flip turns one class's grating angle into another's).
 */
export const AUGMENTABLE: Record<DatasetName, boolean> = { mnist: false, synthetic: false, cifar10: true, cifar100: true, folder: true };

/** Pad-crop-flip is on by default for CIFAR (the literature's recipe), off for everything else. */
export function defaultAugment(dataset: DatasetName): boolean {
  return dataset === 'cifar10' || dataset === 'cifar100';
}

/**
 * The one place run defaults live: `ffr train`'s flags, the New-run form (through `runs.defaults`)
 * and every partial config a caller sends (completeRunConfig) start from this. Chosen to show the
 * FFR effect on bundled MNIST in a few epochs on two CPU cores (docs/ffr.md for the FFR weights).
 */
/** The validation share of new runs (`--val-fraction`, the New-run form): defined here only. */
export const DEFAULT_VAL_FRACTION = 0.1;

const DEFAULT_CONFIG: RunConfig = {
  model: 'lenet5',
  width: 1,
  shortcut: 'A',
  dataset: { name: 'mnist' },
  valFraction: DEFAULT_VAL_FRACTION,
  augment: defaultAugment('mnist'),
  epochs: 3,
  batchSize: 64,
  optimizer: 'sgd',
  lr: defaultLearningRate('lenet5'),
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: 'cosine',
  stepEvery: 30,
  stepGamma: 0.1,
  sparsityThreshold: 1e-2,
  probeSize: 256,
  seed: 1,
  backend: 'auto',
  regularizer: 'ffr',
  ffr: DEFAULT_FFR,
};

/** A (partial) run config as callers send it: any subset of the fields, validated when completed. */
export type RunConfigInput = Record<string, unknown>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A partial config over a base (the defaults, or the run being duplicated): missing fields take
 * the base's value, `ffr` is merged field by field, and three settings follow another one unless
 * given: the learning rate follows the model, augmentation follows the dataset, and the weight of
 * the regularizer follows the regularizer (DEFAULT_FFR, DEFAULT_BASELINE_LAMBDA, and group lasso's
 * DEFAULT_GROUP_LASSO_GROUP). The dataset ref gets its kind's defaults written out
 * (completeDatasetRef). The result keeps only the settings its regularizer uses. Not validated:
 * parse it with RunConfig.
 */
export function completeRunConfig(input: RunConfigInput, base: RunConfig = DEFAULT_CONFIG): Record<string, unknown> {
  const { ffr: inputFfr, lambda: inputLambda, groupLassoGroup: inputGroup, ...rest } = input;
  const {
    ffr: _baseFfr,
    lambda: _baseLambda,
    groupLassoGroup: _baseGroup,
    ...baseRest
  } = base as RunConfig & { ffr?: FfrOptions; lambda?: number; groupLassoGroup?: GroupLassoGroup };
  const out: Record<string, unknown> = { ...baseRest, ...rest };

  const model = ModelName.safeParse(out.model);
  if (input.lr === undefined && model.success && model.data !== base.model) out.lr = defaultLearningRate(model.data);
  if (isPlainObject(out.dataset)) out.dataset = completeDatasetRef(out.dataset as { name: unknown });
  const dataset = DatasetName.safeParse(isPlainObject(out.dataset) ? out.dataset.name : undefined);
  if (input.augment === undefined && dataset.success && dataset.data !== base.dataset.name) out.augment = defaultAugment(dataset.data);

  if (out.regularizer === 'ffr') {
    const from = base.regularizer === 'ffr' ? base.ffr : DEFAULT_FFR;
    // A non-object is left for the schema to refuse with the field named.
    out.ffr = inputFfr === undefined ? from : isPlainObject(inputFfr) ? { ...from, ...inputFfr } : inputFfr;
  } else if (isBaselineRegularizer(out.regularizer)) {
    const from = base.regularizer === out.regularizer ? base.lambda : DEFAULT_BASELINE_LAMBDA[out.regularizer];
    out.lambda = inputLambda === undefined ? from : inputLambda;
    if (out.regularizer === 'group-lasso') {
      const group = base.regularizer === 'group-lasso' ? base.groupLassoGroup : DEFAULT_GROUP_LASSO_GROUP;
      out.groupLassoGroup = inputGroup === undefined ? group : inputGroup;
    }
  }
  return out;
}

/** The default config, with some fields given (derived defaults follow them, as in completeRunConfig). */
export function defaultRunConfig(overrides: RunConfigInput = {}): RunConfig {
  return RunConfig.parse(completeRunConfig(overrides));
}

/**
 * The FFR options a run's trajectory is measured with. Every run records the FFR length and
 * curvature of its features, so runs can be compared whatever their regularizer; a run that is
 * not regularized by FFR is measured with the default variant.
 */
export function measuredFfr(config: RunConfig): FfrOptions {
  return config.regularizer === 'ffr' ? config.ffr : DEFAULT_FFR;
}

/** {a: {b: 1}} → {'a.b': 1}: config keys as the compare table and `ffr runs compare` show them. */
export function flattenConfig(value: unknown, prefix = ''): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { [prefix]: value };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) Object.assign(out, flattenConfig(v, prefix ? `${prefix}.${k}` : k));
  return out;
}
