/** Test-set evaluation: mean cross-entropy and accuracy, in inference mode (running BN statistics). */
import { makeBatch, type Dataset, type Split } from '../data';
import { forward } from '../models/forward';
import type { Params } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { Rng } from '../rng';
import { tf } from '../tf';

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
}

export async function evaluate(spec: ModelSpec, params: Params, ds: Dataset, split: Split, batchSize = 128): Promise<Evaluation> {
  let lossSum = 0;
  let correct = 0;
  const rng = new Rng(0); // unused: no augmentation at evaluation
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const indices = Int32Array.from({ length: size }, (_, i) => start + i);
    const batch = makeBatch(ds, split, indices, { augment: false, rng });
    const sums = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [size, ...ds.shape]);
      const { logits } = forward(spec, params, x, { training: false });
      const labels = tf.tensor1d(batch.y, 'int32');
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, spec.classes), logits, undefined, undefined, tf.Reduction.SUM);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
      return tf.stack([ce, hits]);
    });
    const [l, c] = await sums.data();
    sums.dispose();
    lossSum += l!;
    correct += c!;
  }
  const count = Math.max(1, split.count);
  return { loss: lossSum / count, accuracy: correct / count, count: split.count };
}
