/**
 * The configuration of one training run: what the CLI flags, the desktop's "New run" form and a
 * fine-tune request all become before anything is trained. Stored verbatim with every run, so a
 * run can be reproduced and compared field by field.
 *
 * Runtime-free apart from zod: imported by the renderer as well as by the host and the trainer.
 */
import { z } from 'zod';

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

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'onednn', 'wasm', 'cpu'] as const;
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

export const FfrOptions = z.object({
  /** Weight of the trajectory length term. */
  lambdaLength: nonNegative.max(100),
  /** Weight of the total absolute curvature term. */
  lambdaCurvature: nonNegative.max(100),
  /** How consecutive features of different shapes are compared (DESIGN.md §3). */
  align: z.enum(['pad-pool', 'stage']),
  /** Total absolute curvature as turning angles or as second differences. */
  curvature: z.enum(['angle', 'second-difference']),
  /** Length as the sum of per-channel increment norms (group) or as the plain Euclidean length. */
  norm: z.enum(['channel', 'l2']),
});
export type FfrOptions = z.infer<typeof FfrOptions>;

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
  // Measured on bundled MNIST, LeNet-5 (BN), 3 epochs, 8,000 images, lr 0.05 cosine: λ_len 0.02 and
  // 0.05 leave no dead channel, 0.2 leaves 15 % at −0.5 points, 0.5 leaves 45 % at −1.2 points
  // (docs/ffr.md). Other networks were not measured: try a few values and use the sensitivity sweep.
  lambdaLength: 0.5,
  lambdaCurvature: 0,
  align: 'pad-pool',
  curvature: 'angle',
  norm: 'channel',
};

/** Baseline weights that regularize visibly without wrecking accuracy in a few epochs. */
export const DEFAULT_BASELINE_LAMBDA: Record<Exclude<RegularizerName, 'ffr' | 'none'>, number> = {
  l1: 1e-5,
  'group-lasso': 1e-3,
  slimming: 1e-4,
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
    sparsityThreshold: 1e-2,
    probeSize: 256,
    seed: 1,
    backend: 'auto',
  };
  return RunConfig.parse({ ...base, ...overrides, ffr: { ...base.ffr, ...(overrides.ffr ?? {}) } });
}
