/**
 * Test helpers: a function-preserving permutation of one prunable layer's channels, and the
 * regularizer's penalty with its gradient with respect to every trainable weight.
 */
import type { RunConfig } from '../../shared/run-config';
import { forward } from '../models/forward';
import { disposeParams, paramsFromValues } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { tf } from '../tf';
import type { NamedValues } from '../train/checkpoint';
import { channelConsumers } from './baselines';
import { regularize } from './index';

type Weight = { shape: number[]; values: Float32Array };

/** Permutes axis `axis` of a weight: new index i takes old index perm[i]. */
export function permuteAxis(w: Weight, axis: number, perm: number[]): Weight {
  const shape = w.shape;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = shape[axis]!;
  const outer = w.values.length / (inner * n);
  const out = new Float32Array(w.values.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const from = (o * n + perm[i]!) * inner;
      out.set(w.values.subarray(from, from + inner), (o * n + i) * inner);
    }
  }
  return { shape: [...shape], values: out };
}

/**
 * The same function with layer `layerName`'s output channels reordered: its filters (and bias), its
 * batch norm's γ, β and running statistics, and the input slices of the kernels that read it.
 * Returns new weights and, per weight name, which axis was permuted how (to compare gradients).
 */
export function permuteLayer(
  spec: ModelSpec,
  weights: NamedValues,
  layerName: string,
  perm: number[],
): { weights: NamedValues; permuted: Map<string, { axis: number; reshape?: number[] }> } {
  const layer = spec.prunable.find((p) => p.layer === layerName);
  if (!layer) throw new Error(`No prunable layer ${layerName}.`);
  const out: NamedValues = new Map([...weights].map(([k, v]) => [k, { shape: v.shape, values: v.values.slice() }]));
  const permuted = new Map<string, { axis: number; reshape?: number[] }>();
  const own = [`${layerName}/kernel`, `${layerName}/bias`];
  if (layer.bn) own.push(...['gamma', 'beta', 'movingMean', 'movingVariance'].map((p) => `${layer.bn}/${p}`));
  for (const name of own) {
    const w = out.get(name);
    if (!w) continue;
    out.set(name, permuteAxis(w, w.shape.length - 1, perm));
    permuted.set(name, { axis: w.shape.length - 1 });
  }
  const channels = perm.length;
  for (const c of channelConsumers(spec, layer)) {
    const w = out.get(c.weight)!;
    if (c.kind === 'conv') {
      out.set(c.weight, permuteAxis(w, 2, perm));
      permuted.set(c.weight, { axis: 2 });
    } else {
      // Rows are position · channels + channel: view as [positions, channels, units].
      const view = { shape: [c.positions, channels, w.shape[1]!], values: w.values };
      out.set(c.weight, { shape: w.shape, values: permuteAxis(view, 1, perm).values });
      permuted.set(c.weight, { axis: 1, reshape: view.shape });
    }
  }
  return { weights: out, permuted };
}

/** Logits in inference mode. */
export function logitsOf(spec: ModelSpec, weights: NamedValues, x: tf.Tensor4D): Float32Array {
  const params = paramsFromValues(weights);
  try {
    return tf.tidy(() => forward(spec, params, x, { training: false }).logits.dataSync() as Float32Array);
  } finally {
    disposeParams(params);
  }
}

/** The regularizer's penalty on a training-mode forward pass, and its gradient per trainable weight. */
export function penaltyAndGrads(
  config: RunConfig,
  spec: ModelSpec,
  weights: NamedValues,
  x: tf.Tensor4D,
): { value: number; grads: Map<string, Weight> } {
  const params = paramsFromValues(weights);
  let value = Number.NaN;
  const byName = new Map<string, Weight>();
  try {
    tf.tidy(() => {
      const trainable = [...params.values()].filter((v) => v.trainable);
      const result = tf.variableGrads(() => {
        const { features } = forward(spec, params, x, { training: true });
        return regularize(config, spec, params, features).penalty;
      }, trainable);
      value = result.value.dataSync()[0]!;
      for (const [name, v] of params) {
        const g = result.grads[v.name];
        if (g) byName.set(name, { shape: g.shape, values: g.dataSync() as Float32Array });
      }
    });
    return { value, grads: byName };
  } finally {
    disposeParams(params);
  }
}
