/**
 * Batch normalization in training mode as one differentiable op.
 *
 * Written as tf.moments + tf.batchNorm, autodiff differentiates through the moments as well as the
 * normalization and emits ~25 small elementwise kernels per layer and step (Multiply, Sub, Add, Sum,
 * RealDiv, Tile, FusedBatchNorm, ...): about a quarter of a ResNet-20 step on the WASM backend. The
 * gradient has a closed form, so this op supplies it through tf.customGrad. With
 * x̂ = (x − μ)·rstd, rstd = 1/√(var + ε) and N elements per channel:
 *
 *   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ·rstd·(dy − dβ/N − x̂·dγ/N)
 *
 * (the last already contains the paths through μ and var). Forward and backward each run as one
 * registered kernel when the current backend has one (the WASM backend does: two passes over the
 * data each, see backend/wasm/FfrBatchNormTraining*.ts), and as a composite of ordinary tf ops
 * otherwise (cpu, tensorflow).
 *
 * Kernel contract, for backends that implement it:
 *   FfrBatchNormTraining      inputs {x, gamma, beta}, attrs {epsilon} -> [y, mean, variance]
 *   FfrBatchNormTrainingGrad  inputs {dy, x, gamma, mean, variance}, attrs {epsilon} -> [dx, dgamma, dbeta]
 * x is [..., c] (channels innermost, statistics over all other axes), gamma/beta/mean/variance hold
 * c float32 values each, variance is the biased batch variance. The gradient kernel takes the
 * variance rather than rstd so both kernels share one set of saved tensors and the forward outputs
 * stay what the caller wants for its running statistics.
 */
import { tf, type Tensor } from '../tf';

export const FFR_BATCH_NORM_TRAINING = 'FfrBatchNormTraining';
export const FFR_BATCH_NORM_TRAINING_GRAD = 'FfrBatchNormTrainingGrad';

export interface TrainingBatchNormResult<T extends Tensor> {
  /** The normalized, scaled and shifted x; differentiable wrt x, gamma and beta. */
  y: T;
  /** Per-channel batch mean, [c]; no gradient flows through it (it is for the running statistics). */
  mean: tf.Tensor1D;
  /** Per-channel biased batch variance, [c]; no gradient either. */
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch norm of x ([n, h, w, c] or [n, c]) with the statistics of the batch.
 * gamma and beta hold c values (any shape; the gradients come back in their shapes).
 */
export function trainingBatchNorm<T extends tf.Tensor4D | tf.Tensor2D>(
  x: T,
  gamma: Tensor,
  beta: Tensor,
  epsilon: number,
): TrainingBatchNormResult<T> {
  const c = x.shape[x.rank - 1]!;
  if (gamma.size !== c || beta.size !== c) {
    throw new Error(`trainingBatchNorm: gamma and beta need ${c} values (x is [${x.shape.join(',')}]), got ${gamma.size} and ${beta.size}.`);
  }
  // tf.customGrad differentiates a function with exactly one output, y. mean and variance are
  // computed by the same kernel call, so rather than recomputing them they are carried out of the
  // forward function: it runs inside a tidy of the engine's, hence tf.keep, and the kept tensors are
  // handed back below as ordinary (scope-tracked) tensors.
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((...args) => {
    const [xIn, gammaIn, betaIn, save] = args as [T, Tensor, Tensor, tf.GradSaveFunc];
    const [y, mean, variance] = normalize(xIn, gammaIn, betaIn, epsilon);
    save([xIn, gammaIn, mean, variance]);
    stats = { mean: tf.keep(mean), variance: tf.keep(variance) };
    return {
      value: y,
      gradFunc: (dy: T, saved: Tensor[]) => {
        const [xs, gs, ms, vs] = saved as [T, Tensor, tf.Tensor1D, tf.Tensor1D];
        const [dx, dgamma, dbeta] = normalizeGrad(dy, xs, gs, ms, vs, epsilon);
        // Kernels and the composite work on flat [c] parameters; hand the gradients back in the
        // parameters' own shapes.
        return [dx, tf.reshape(dgamma, gamma.shape), tf.reshape(dbeta, beta.shape)];
      },
    };
  });
  const y = op(x, gamma, beta);
  const kept = stats!;
  // A clone shares the buffer (refcounted Identity on cpu and, with our kernels, wasm) and is
  // tracked by the caller's scope like any op result; the kept originals are released here.
  const mean = tf.clone(kept.mean);
  const variance = tf.clone(kept.variance);
  tf.dispose([kept.mean, kept.variance]);
  return { y, mean, variance };
}

/** Reduction axes: all but the innermost (channel) axis. */
function statAxes(rank: number): number[] {
  return Array.from({ length: rank - 1 }, (_, i) => i);
}

function hasKernel(name: string, ...tensors: Tensor[]): boolean {
  // The kernels are float32 only; anything else takes the composite path.
  return tensors.every((t) => t.dtype === 'float32') && tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** [y, mean, variance]. Runs inside customGrad's forward (not taped), so intermediates are ours to tidy. */
function normalize<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, epsilon: number): [T, tf.Tensor1D, tf.Tensor1D] {
  const c = x.shape[x.rank - 1]!;
  const g = tf.reshape(gamma, [c]);
  const b = tf.reshape(beta, [c]);
  if (hasKernel(FFR_BATCH_NORM_TRAINING, x, g, b)) {
    return tf.engine().runKernel<Tensor[]>(FFR_BATCH_NORM_TRAINING, { x, gamma: g, beta: b }, { epsilon }) as [
      T,
      tf.Tensor1D,
      tf.Tensor1D,
    ];
  }
  return tf.tidy(() => {
    const axes = statAxes(x.rank);
    // Two-pass statistics, as tf.moments computes them.
    const mean = tf.mean(x, axes) as tf.Tensor1D;
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), axes) as tf.Tensor1D;
    const scale = tf.mul(g, tf.rsqrt(tf.add(variance, epsilon)));
    const y = tf.add(tf.mul(centered, scale), b) as T;
    return [y, mean, variance];
  });
}

/** [dx, dgamma, dbeta] with dgamma, dbeta as [c]. */
function normalizeGrad<T extends Tensor>(
  dy: T,
  x: T,
  gamma: Tensor,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  epsilon: number,
): [T, tf.Tensor1D, tf.Tensor1D] {
  const c = x.shape[x.rank - 1]!;
  const g = tf.reshape(gamma, [c]);
  if (hasKernel(FFR_BATCH_NORM_TRAINING_GRAD, dy, x, g, mean, variance)) {
    return tf.engine().runKernel<Tensor[]>(
      FFR_BATCH_NORM_TRAINING_GRAD,
      { dy, x, gamma: g, mean, variance },
      { epsilon },
    ) as [T, tf.Tensor1D, tf.Tensor1D];
  }
  return tf.tidy(() => {
    const axes = statAxes(x.rank);
    const n = x.size / c;
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(x, mean), rstd);
    const dbeta = tf.sum(dy, axes) as tf.Tensor1D;
    const dgamma = tf.sum(tf.mul(dy, xhat), axes) as tf.Tensor1D;
    const inner = tf.sub(tf.sub(dy, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n)));
    const dx = tf.mul(inner, tf.mul(g, rstd)) as T;
    return [dx, dgamma, dbeta];
  });
}
