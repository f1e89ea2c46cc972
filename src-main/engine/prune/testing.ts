/** Test helpers: random non-trivial weights and masking (zeroing whole groups in the original model). */
import { initialWeightValues } from '../models/init';
import type { ModelSpec } from '../../catalog/models/spec';
import { Rng } from '../rng';
import type { NamedValues } from '../train/checkpoint';
import type { GroupGraph } from './groups';

/** He-initialized kernels plus random biases and BN parameters/statistics, so BN is not an identity. */
export function randomWeights(spec: ModelSpec, seed: number): NamedValues {
  const weights = initialWeightValues(spec, seed);
  const rng = new Rng(seed + 1);
  for (const [name, w] of weights) {
    if (name.endsWith('/bias') || name.endsWith('/beta')) w.values.forEach((_, i) => (w.values[i] = rng.normal() * 0.2));
    else if (name.endsWith('/gamma')) w.values.forEach((_, i) => (w.values[i] = 0.5 + rng.next()));
    else if (name.endsWith('/movingMean')) w.values.forEach((_, i) => (w.values[i] = rng.normal() * 0.1));
    else if (name.endsWith('/movingVariance')) w.values.forEach((_, i) => (w.values[i] = 0.5 + rng.next()));
  }
  return weights;
}

/** A copy of the weights with every member channel of the removed groups exactly zero at its output. */
export function maskedWeights(spec: ModelSpec, weights: NamedValues, graph: GroupGraph, removed: Set<number>): NamedValues {
  const out: NamedValues = new Map([...weights].map(([k, v]) => [k, { shape: v.shape, values: v.values.slice() }]));
  const zeroChannel = (name: string, c: number): void => {
    const w = out.get(name);
    if (!w) return;
    const n = w.shape[w.shape.length - 1]!;
    for (let i = c; i < w.values.length; i += n) w.values[i] = 0;
  };
  for (const g of removed) {
    for (const m of graph.groups[g]!.members) {
      const layer = spec.prunable.find((p) => p.layer === m.layer)!;
      zeroChannel(`${m.layer}/kernel`, m.channel);
      zeroChannel(`${m.layer}/bias`, m.channel);
      if (layer.bn) {
        zeroChannel(`${layer.bn}/gamma`, m.channel);
        zeroChannel(`${layer.bn}/beta`, m.channel);
      }
    }
  }
  return out;
}
