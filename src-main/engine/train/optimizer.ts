/**
 * SGD with momentum (PyTorch's formulation: v ← μ·v + g, w ← w − lr·v) and Adam, written out here
 * rather than taken from tf.train so that their state is plain named tensors (checkpointed and
 * restored by name, whatever the tfjs variable names are) and the learning rate can change every
 * step. Weight decay is coupled (added to the gradient, as PyTorch's SGD does) and applies to conv and
 * dense kernels only: biases and batch-norm parameters are not decayed.
 */
import type { RunConfig } from '../../shared/run-config';
import { variableFrom } from '../models/init';
import { tf, type Variable } from '../tf';

export interface OptimizerState {
  step: number;
  /** Slot tensors by `<weight>/<slot>`. */
  slots: Map<string, { shape: number[]; values: Float32Array }>;
}

export class Optimizer {
  private step = 0;
  private readonly slots = new Map<string, Variable>();

  constructor(
    private readonly kind: RunConfig['optimizer'],
    private readonly momentum: number,
    private readonly weightDecay: number,
  ) {}

  /** Applies one update. `weights` maps weight names (e.g. `conv1/kernel`) to their variables. */
  apply(weights: Map<string, Variable>, grads: Map<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    tf.tidy(() => {
      for (const [name, w] of weights) {
        let g = grads.get(name);
        if (!g) continue;
        if (this.weightDecay > 0 && name.endsWith('/kernel')) g = tf.add(g, tf.mul(w, this.weightDecay));
        if (this.kind === 'sgd') this.sgd(name, w, g, lr);
        else this.adam(name, w, g, lr);
      }
    });
  }

  private sgd(name: string, w: Variable, g: tf.Tensor, lr: number): void {
    if (this.momentum === 0) {
      w.assign(tf.sub(w, tf.mul(g, lr)));
      return;
    }
    const v = this.slot(`${name}/momentum`, w);
    v.assign(tf.add(tf.mul(v, this.momentum), g));
    w.assign(tf.sub(w, tf.mul(v, lr)));
  }

  private adam(name: string, w: Variable, g: tf.Tensor, lr: number): void {
    const beta1 = 0.9;
    const beta2 = 0.999;
    const m = this.slot(`${name}/m`, w);
    const v = this.slot(`${name}/v`, w);
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
    const mHat = tf.div(m, 1 - beta1 ** this.step);
    const vHat = tf.div(v, 1 - beta2 ** this.step);
    w.assign(tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-8)), lr)));
  }

  private slot(key: string, like: Variable): Variable {
    let s = this.slots.get(key);
    if (!s) {
      s = variableFrom(new Float32Array(like.size), [...like.shape], false);
      this.slots.set(key, s);
    }
    return s;
  }

  async state(): Promise<OptimizerState> {
    const slots = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const [key, v] of this.slots) slots.set(key, { shape: [...v.shape], values: (await v.data()) as Float32Array });
    return { step: this.step, slots };
  }

  restore(state: OptimizerState): void {
    this.dispose();
    this.step = state.step;
    for (const [key, { shape, values }] of state.slots) {
      this.slots.set(key, variableFrom(values, shape, false));
    }
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

/** Learning rate at a point of the run; `progress` is the fraction of all steps done (0 … <1). */
export function learningRate(
  config: Pick<RunConfig, 'lr' | 'schedule' | 'stepEvery' | 'stepGamma' | 'epochs'>,
  progress: number,
): number {
  switch (config.schedule) {
    case 'constant':
      return config.lr;
    case 'cosine':
      return 0.5 * config.lr * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, progress))));
    case 'step': {
      const epoch = Math.floor(progress * config.epochs);
      return config.lr * config.stepGamma ** Math.floor(epoch / config.stepEvery);
    }
  }
}
