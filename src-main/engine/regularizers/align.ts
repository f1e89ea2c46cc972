/**
 * Bringing two hidden features into one space so they can be subtracted (docs/ffr.md, `align`).
 *
 * `pad-pool`: average-pool the finer one to the coarser spatial grid (adaptive pooling when the sizes
 * do not divide), then zero-pad the one with fewer channels up to the larger count. Dense features
 * are treated as 1×1 images. The zero-padding is what makes the length term push whole surplus
 * channels to zero.
 * `stage`: features are only compared when their shapes already agree.
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
