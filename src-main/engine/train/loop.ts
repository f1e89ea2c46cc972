/**
 * The training loop of one run: epochs of SGD/Adam steps on cross-entropy + regularizer, then, every
 * epoch, evaluation, sparsity snapshots on the probe batch and a checkpoint. Host-agnostic: results
 * leave through hooks (the trainer process turns them into messages), so the loop runs the same in a
 * trainer process, a test or a benchmark.
 */
import type { EpochMetrics, LayerSnapshot, StepScalars } from '../../shared/metrics';
import { measuredFfr, type RunConfig } from '../../shared/run-config';
import { epochOrder, makeBatch, type Dataset } from '../data';
import { forward } from '../models/forward';
import { disposeParams, paramsFromValues, readWeights, type Params } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { regularize } from '../regularizers';
import { Rng, hashString } from '../rng';
import type { ProbeBatch } from '../sparsity/probe';
import { takeSnapshots } from '../sparsity/snapshot';
import { tf, type Variable } from '../tf';
import { checkpointPath, writeModelFile } from './checkpoint';
import { evaluate } from './evaluate';
import { Optimizer, learningRate } from './optimizer';

export interface StepProgress {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
  lr: number;
}

export interface EpochRecord {
  metrics: EpochMetrics;
  snapshots: LayerSnapshot[];
  checkpoint: { path: string; bytes: number };
}

export interface TrainHooks {
  onStep?(p: StepProgress): void;
  /** Every few steps (about STEP_ROWS_PER_EPOCH per epoch, and each epoch's last step): window means. */
  onScalars?(row: StepScalars): void;
  onEpoch(record: EpochRecord): void | Promise<void>;
  /** Polled between steps; true stops the run after the current step (no partial epoch is recorded). */
  isCancelled?(): boolean;
}

/** Where training starts: fresh weights, a checkpoint (resume) or a model file (fine-tuning). */
export interface StartingPoint {
  spec: ModelSpec;
  weights: Map<string, { shape: number[]; values: Float32Array }>;
  /** Epochs already done (resume); 0 otherwise. */
  epoch: number;
  optimizer?: { step: number; slots: Map<string, { shape: number[]; values: Float32Array }> };
}

export interface TrainOutcome {
  status: 'completed' | 'cancelled';
  epochsDone: number;
  last?: EpochRecord;
}

/** About this many step rows per epoch: every step for small epochs, every k-th for large ones. */
export const STEP_ROWS_PER_EPOCH = 50;

/** Steps per recorded row for an epoch of `steps` steps. */
export function stepRecordInterval(steps: number): number {
  return Math.max(1, Math.round(steps / STEP_ROWS_PER_EPOCH));
}

/** Sums over the steps since the last recorded row. */
export class StepWindow {
  private began = Date.now();
  private n = 0;
  private seen = 0;
  private sums = { loss: 0, ce: 0, length: 0, curvature: 0, reg: 0, correct: 0 };

  add(values: number[], size: number): void {
    const [loss, ce, length, curvature, reg, correct] = values as [number, number, number, number, number, number];
    this.sums.loss += loss * size;
    this.sums.ce += ce * size;
    this.sums.length += length * size;
    this.sums.curvature += curvature * size;
    this.sums.reg += reg * size;
    this.sums.correct += correct;
    this.seen += size;
    this.n++;
  }

  get size(): number {
    return this.n;
  }

  /** The window's row, then an empty window. */
  take(step: number, epoch: number, lr: number): StepScalars {
    const now = Date.now();
    const n = Math.max(1, this.seen);
    const row: StepScalars = {
      step,
      epoch,
      time: now,
      window: this.n,
      loss: this.sums.loss / n,
      crossEntropy: this.sums.ce / n,
      accuracy: this.sums.correct / n,
      ffrLength: this.sums.length / n,
      ffrCurvature: this.sums.curvature / n,
      regLoss: this.sums.reg / n,
      lr,
      stepMs: (now - this.began) / Math.max(1, this.n),
      rssBytes: process.memoryUsage.rss(),
      tensorBytes: tf.memory().numBytes,
    };
    this.began = now;
    this.n = 0;
    this.seen = 0;
    this.sums = { loss: 0, ce: 0, length: 0, curvature: 0, reg: 0, correct: 0 };
    return row;
  }
}

/** A run stopped by its own numbers (NaN loss), as opposed to a crash. */
export class TrainingDiverged extends Error {
  override readonly name = 'TrainingDiverged';
}

/** The fixed probe batch: the same seeded training images every epoch (docs/schema.md). */
export function probeBatch(ds: Dataset, size: number, seed: number): ProbeBatch {
  const n = Math.min(size, ds.train.count);
  const order = new Rng(hashString(`probe:${seed}`)).permutation(ds.train.count).subarray(0, n);
  const batch = makeBatch(ds, ds.train, order, { augment: false, rng: new Rng(0) });
  return { x: batch.x, shape: [n, ...ds.shape] };
}

export async function trainRun(
  config: RunConfig,
  ds: Dataset,
  start: StartingPoint,
  checkpointDir: string,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  const { spec } = start;
  const params = paramsFromValues(start.weights);
  const optimizer = new Optimizer(config.optimizer, config.momentum, config.weightDecay);
  if (start.optimizer) optimizer.restore(start.optimizer);
  const trainable = new Map<string, Variable>([...params].filter(([, v]) => v.trainable));
  const probe = probeBatch(ds, config.probeSize, config.seed);
  const stepsPerEpoch = Math.ceil(ds.train.count / config.batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const recordEvery = stepRecordInterval(stepsPerEpoch);
  let last: EpochRecord | undefined;
  try {
    for (let epoch = start.epoch + 1; epoch <= config.epochs; epoch++) {
      const began = Date.now();
      const order = epochOrder(ds.train.count, config.seed, epoch);
      const rng = new Rng(hashString(`augment:${config.seed}:${epoch}`));
      const sums = { loss: 0, ce: 0, length: 0, curvature: 0, reg: 0, correct: 0, seen: 0 };
      const window = new StepWindow();
      let lr = config.lr;
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (hooks.isCancelled?.()) return { status: 'cancelled', epochsDone: epoch - 1, ...(last ? { last } : {}) };
        const indices = order.subarray(step * config.batchSize, Math.min(ds.train.count, (step + 1) * config.batchSize));
        const batch = makeBatch(ds, ds.train, indices, { augment: config.augment && ds.augmentable, rng });
        lr = learningRate(config, ((epoch - 1) * stepsPerEpoch + step) / totalSteps);
        const values = await trainStep(config, spec, params, trainable, optimizer, batch, ds, lr);
        const [loss, ce, length, curvature, reg, correct] = values;
        if (!Number.isFinite(loss)) {
          throw new TrainingDiverged(
            `The training loss became ${loss} at epoch ${epoch}, step ${step + 1} (learning rate ${lr.toPrecision(3)}); ` +
              `lower the learning rate or the regularizer weight.`,
          );
        }
        sums.loss += loss! * batch.size;
        sums.ce += ce! * batch.size;
        sums.length += length! * batch.size;
        sums.curvature += curvature! * batch.size;
        sums.reg += reg! * batch.size;
        sums.correct += correct!;
        sums.seen += batch.size;
        window.add(values, batch.size);
        if ((step + 1) % recordEvery === 0 || step + 1 === stepsPerEpoch) hooks.onScalars?.(window.take((epoch - 1) * stepsPerEpoch + step + 1, epoch, lr));
        hooks.onStep?.({ epoch, step: step + 1, steps: stepsPerEpoch, loss: loss!, lr });
      }
      // Validation first: it is what sweeps and studies choose by; test is reported beside it.
      const val = ds.val.count > 0 ? await evaluate(spec, params, ds, ds.val) : null;
      const test = await evaluate(spec, params, ds, ds.test);
      const snapshots = await takeSnapshots(spec, params, probe, { sparsityThreshold: config.sparsityThreshold, ffr: measuredFfr(config) });
      const state = await optimizer.state();
      const file = checkpointPath(checkpointDir, epoch);
      const bytes = writeModelFile(file, {
        spec,
        epoch,
        weights: await readWeights(params),
        optimizerStep: state.step,
        optimizer: state.slots,
        extra: {},
      });
      const n = Math.max(1, sums.seen);
      last = {
        metrics: {
          epoch,
          trainLoss: sums.loss / n,
          trainCrossEntropy: sums.ce / n,
          trainAccuracy: sums.correct / n,
          valLoss: val?.loss ?? null,
          valAccuracy: val?.accuracy ?? null,
          testLoss: test.loss,
          testAccuracy: test.accuracy,
          ffrLength: sums.length / n,
          ffrCurvature: sums.curvature / n,
          regLoss: sums.reg / n,
          lr,
          seconds: (Date.now() - began) / 1000,
        },
        snapshots,
        checkpoint: { path: file, bytes },
      };
      await hooks.onEpoch(last);
    }
    return { status: 'completed', epochsDone: config.epochs, ...(last ? { last } : {}) };
  } finally {
    optimizer.dispose();
    disposeParams(params);
  }
}

/**
 * One optimization step. Returns [total loss, cross-entropy, FFR length, FFR curvature, weighted
 * regularizer, correct predictions], read back in one transfer. The read is asynchronous because
 * GPU backends (webgpu) cannot read synchronously in Node; on wasm and cpu data() resolves at once.
 */
async function trainStep(
  config: RunConfig,
  spec: ModelSpec,
  params: Params,
  trainable: Map<string, Variable>,
  optimizer: Optimizer,
  batch: { x: Float32Array; y: Int32Array; size: number },
  ds: Dataset,
  lr: number,
): Promise<number[]> {
  const stacked = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [batch.size, ...ds.shape]);
    const labels = tf.tensor1d(batch.y, 'int32');
    const oneHot = tf.oneHot(labels, spec.classes);
    let side: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const { logits, features } = forward(spec, params, x, { training: true });
      const ce = tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
      const reg = regularize(config, spec, params, features);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
      side = [ce, reg.length, reg.curvature, reg.penalty, correct].map((t) => tf.keep(t));
      return tf.add(ce, reg.penalty) as tf.Scalar;
    }, [...trainable.values()]);
    const byWeight = new Map<string, tf.Tensor>();
    for (const [name, v] of trainable) {
      const g = grads[v.name];
      if (g) byWeight.set(name, g);
    }
    optimizer.apply(trainable, byWeight, lr);
    const out = tf.stack([value, ...side]);
    tf.dispose(side);
    return out;
  });
  try {
    return Array.from(await stacked.data());
  } finally {
    stacked.dispose();
  }
}

