/**
 * Bringing two hidden features into one space so they can be subtracted (docs/ffr.md, "Alignment").
 *
 * `alignPair` (pool and pad): average-pool the finer one to the coarser spatial grid (adaptive
 * pooling when the sizes do not divide), then zero-pad the one with fewer channels up to the larger
 * count. Dense features are treated as 1×1 images. The zero-padding is what makes the length term
 * push whole surplus channels to zero.
 * - `index-pad` applies it to the channels in their stored order: channel i meets channel i.
 * - `rank-pad` first orders each feature's channels by batch energy (`byEnergy`): the strongest
 *   meets the strongest, and the surplus compared with zero is the weakest channels. A permutation
 *   of a layer's channels permutes its energies the same way, so the ordered feature is unchanged.
 * - `gram` replaces each feature by its samples' cosine-similarity matrix (`similarityRows`).
 * - `shortcut` places channels through an option-A shortcut (`placeChannels`) or compares them as
 *   they are (identity shortcut).
 * - `stage`: features are only compared when their shapes already agree.
 */
import { tf, type Tensor } from '../tf';

/** [N, h, w, c] view of a feature: images as they are, vectors as 1×1 images. */
export function asImage(t: Tensor): tf.Tensor4D {
  if (t.rank === 4) return t as tf.Tensor4D;
  if (t.rank === 2) return tf.reshape(t, [t.shape[0]!, 1, 1, t.shape[1]!]);
  throw new Error(`FFR taps must be images or vectors, got a tensor of rank ${t.rank}.`);
}

export function sameShape(a: Tensor, b: Tensor): boolean {
  return a.shape.join('x') === b.shape.join('x');
}

/** Averages [N, H, W, C] down to [N, h, w, C] (adaptive average pooling, as PyTorch's AdaptiveAvgPool2d). */
export function adaptiveAvgPool(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [n, H, W, c] = x.shape;
  if (H === h && W === w) return x;
  if (H % h === 0 && W % w === 0) return tf.avgPool(x, [H / h, W / w], [H / h, W / w], 'valid') as tf.Tensor4D;
  // Bins [floor(i·H/h), ceil((i+1)·H/h)) as pooling matrices, applied to each spatial axis in turn.
  const rows = poolingMatrix(H, h); // [H, h]
  const cols = poolingMatrix(W, w); // [W, w]
  const alongH = tf.reshape(tf.matMul(tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [-1, H]), rows), [n, W, c, h]);
  const alongW = tf.reshape(tf.matMul(tf.reshape(tf.transpose(alongH, [0, 3, 2, 1]), [-1, W]), cols), [n, h, c, w]);
  return tf.transpose(alongW, [0, 1, 3, 2]) as tf.Tensor4D;
}

function poolingMatrix(from: number, to: number): tf.Tensor2D {
  const m = new Float32Array(from * to);
  for (let i = 0; i < to; i++) {
    const start = Math.floor((i * from) / to);
    const end = Math.ceil(((i + 1) * from) / to);
    for (let k = start; k < end; k++) m[k * to + i] = 1 / (end - start);
  }
  return tf.tensor2d(m, [from, to]);
}

export function padChannels(x: tf.Tensor4D, channels: number): tf.Tensor4D {
  const c = x.shape[3];
  return c === channels ? x : tf.pad(x, [[0, 0], [0, 0], [0, 0], [0, channels - c]]);
}

/** Both features in their common space: the coarser grid, the larger channel count. */
export function alignPair(a: Tensor, b: Tensor): [tf.Tensor4D, tf.Tensor4D] {
  const x = asImage(a);
  const y = asImage(b);
  const h = Math.min(x.shape[1], y.shape[1]);
  const w = Math.min(x.shape[2], y.shape[2]);
  const c = Math.max(x.shape[3], y.shape[3]);
  return [padChannels(adaptiveAvgPool(x, h, w), c), padChannels(adaptiveAvgPool(y, h, w), c)];
}

/**
 * The channels of x in descending order of their energy (mean square over samples and positions).
 * The order is a constant of the step (no gradient through it). The reordering is a product with a
 * permutation matrix P (y = x Pᵀ, ∂/∂x = dy P): one small matrix product each way, which the wasm
 * backend runs far faster than gather (and gather's gradient needs UnsortedSegmentSum, which it
 * lacks). A custom gradient keeps autodiff away from the sort.
 */
export function byEnergy(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c === 1) return x;
  const op = tf.customGrad((...args) => {
    const [xIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const energy = tf.mean(tf.square(xIn), [0, 1, 2]);
    const order = tf.topk(energy, c, true).indices;
    // p[i, j] = 1 where j = order[i]. Built as int32 and cast: the wasm backend's OneHot writes
    // int32 bit patterns into a float32 output (1 becomes 1.4e-45), so a float oneHot is all zeros there.
    const p = tf.cast(tf.oneHot(order, c), 'float32') as tf.Tensor2D;
    save([p]);
    return {
      value: tf.reshape(tf.matMul(tf.reshape(xIn, [-1, c]), p, false, true), [n, h, w, c]),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.reshape(tf.matMul(tf.reshape(dy, [-1, c]), saved[0]!), [n, h, w, c]),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * Each sample's row of cosine similarities to the batch's samples, as a dense feature [N, N]:
 * the feature's geometry over the batch, whatever its width or channel order. A sample whose
 * feature is all zero has a zero row.
 */
export function similarityRows(x: Tensor): tf.Tensor2D {
  const n = x.shape[0]!;
  const flat = tf.reshape(x, [n, -1]) as tf.Tensor2D;
  const unit = tf.div(flat, tf.sqrt(tf.add(tf.sum(tf.square(flat), 1, true), 1e-12))) as tf.Tensor2D;
  return tf.matMul(unit, unit, false, true);
}

/** Channels of x [N, h, w, c] placed into `channels` slots (slot placement[i] gets channel i, others 0). */
export function placeChannels(x: tf.Tensor4D, placement: number[], channels: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (placement.length !== c) throw new Error(`A shortcut placement of ${placement.length} channels cannot place ${c}.`);
  const contiguous = placement.every((p, i) => p === placement[0]! + i);
  if (contiguous) {
    const before = placement[0] ?? 0;
    return tf.pad(x, [[0, 0], [0, 0], [0, 0], [before, channels - before - c]]);
  }
  const m = new Float32Array(c * channels);
  placement.forEach((to, from) => (m[from * channels + to] = 1));
  return tf.reshape(tf.matMul(tf.reshape(x, [-1, c]), tf.tensor2d(m, [c, channels])), [n, h, w, channels]);
}
