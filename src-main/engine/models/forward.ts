/**
 * The forward pass of a ModelSpec with tfjs ops. Returns the logits and every node's output, so
 * the FFR regularizer can read its taps and the snapshots can read per-channel activity.
 *
 * In training mode batch norm uses the batch statistics and updates its running statistics in place
 * (momentum as in Keras: new = momentum · old + (1 − momentum) · batch; the variance is unbiased,
 * as in PyTorch).
 */
import { tf, type Tensor } from '../tf';
import { trainingBatchNorm } from './batch_norm';
import { requireParam, type Params } from './init';
import { INPUT, type LayerNode, type ModelSpec, type ShortcutANode } from '../../catalog/models/spec';

export interface ForwardOptions {
  training: boolean;
}

export interface ForwardResult {
  logits: tf.Tensor2D;
  /** Output of every node by name, plus INPUT. */
  features: Map<string, Tensor>;
}

export function forward(spec: ModelSpec, params: Params, x: tf.Tensor4D, opts: ForwardOptions): ForwardResult {
  const features = new Map<string, Tensor>([[INPUT, x]]);
  const input = (name: string): Tensor => {
    const t = features.get(name);
    if (!t) throw new Error(`Forward pass of ${spec.arch}: "${name}" is used before it is computed.`);
    return t;
  };
  for (const node of spec.nodes) {
    features.set(node.name, runNode(node, params, input, opts));
  }
  const logits = features.get(spec.output);
  if (!logits) throw new Error(`Forward pass of ${spec.arch}: no output node "${spec.output}".`);
  return { logits: logits as tf.Tensor2D, features };
}

function runNode(node: LayerNode, params: Params, input: (name: string) => Tensor, opts: ForwardOptions): Tensor {
  const p = (suffix: string) => requireParam(params, `${node.name}/${suffix}`);
  switch (node.op) {
    case 'conv2d': {
      const y = tf.conv2d(input(node.input) as tf.Tensor4D, p('kernel') as tf.Tensor4D, node.stride, node.padding);
      return node.useBias ? tf.add(y, p('bias')) : y;
    }
    case 'batchnorm':
      return batchNorm(node.name, params, input(node.input) as tf.Tensor4D, node.epsilon, node.momentum, opts.training);
    case 'relu':
      return tf.relu(input(node.input));
    case 'maxpool':
      return tf.maxPool(input(node.input) as tf.Tensor4D, node.size, node.stride, 'valid');
    case 'globalavgpool':
      return tf.mean(input(node.input), [1, 2]);
    case 'flatten': {
      const x = input(node.input);
      return tf.reshape(x, [x.shape[0]!, -1]);
    }
    case 'dense': {
      const y = tf.matMul(input(node.input) as tf.Tensor2D, p('kernel') as tf.Tensor2D);
      return node.useBias ? tf.add(y, p('bias')) : y;
    }
    case 'add':
      return tf.add(input(node.inputs[0]), input(node.inputs[1]));
    case 'shortcutA':
      return shortcutA(node, input(node.input) as tf.Tensor4D);
  }
}

function batchNorm(
  name: string,
  params: Params,
  x: tf.Tensor4D | tf.Tensor2D,
  epsilon: number,
  momentum: number,
  training: boolean,
): Tensor {
  const gamma = requireParam(params, `${name}/gamma`);
  const beta = requireParam(params, `${name}/beta`);
  const movingMean = requireParam(params, `${name}/movingMean`);
  const movingVariance = requireParam(params, `${name}/movingVariance`);
  if (!training) return tf.batchNorm(x, movingMean, movingVariance, beta, gamma, epsilon);
  // One fused op (closed-form gradient; one kernel each way on wasm) instead of tf.moments +
  // tf.batchNorm, whose autodiff is ~25 small kernels per layer. mean and variance carry no gradient.
  const { y, mean, variance } = trainingBatchNorm(x, gamma, beta, epsilon);
  const n = x.size / x.shape[x.rank - 1]!;
  // Running statistics are state, not part of the differentiated function.
  tf.tidy(() => {
    const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
    movingMean.assign(tf.add(tf.mul(movingMean, momentum), tf.mul(mean, 1 - momentum)));
    movingVariance.assign(tf.add(tf.mul(movingVariance, momentum), tf.mul(unbiased, 1 - momentum)));
  });
  return y;
}

/** Strided identity, its channels placed into a zero tensor (option-A shortcut). */
function shortcutA(node: ShortcutANode, x: tf.Tensor4D): Tensor {
  const [n, , , c] = x.shape;
  // A 1×1 average pool with the block's stride is exactly x[:, ::s, ::s, :] and, unlike
  // stridedSlice, has a gradient in tfjs.
  const sub = node.stride === 1 ? x : tf.avgPool(x, 1, node.stride, 'valid');
  const contiguous = node.placement.every((p, i) => p === node.placement[0]! + i);
  if (contiguous) {
    const before = node.placement[0] ?? 0;
    return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [before, node.channels - before - c]]);
  }
  // Arbitrary placement (a pruned model): a fixed 0/1 matrix maps input channels to their slots.
  const placement = new Float32Array(c * node.channels);
  node.placement.forEach((to, from) => (placement[from * node.channels + to] = 1));
  const [, sh, sw] = sub.shape;
  const flat = tf.reshape(sub, [-1, c]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(flat, tf.tensor2d(placement, [c, node.channels])), [n, sh, sw, node.channels]);
}
