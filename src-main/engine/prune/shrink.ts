/**
 * Physical shrinking: a new, smaller ModelSpec plus the surviving weights, never a mask.
 *
 * Each channel space keeps the channels whose group survives; every node then takes the kept
 * indices of its input (input axis of kernels, BN vectors) and of its own space (output axis).
 * Flatten maps kept channels to kept flat indices ((y·w + x)·c + channel, NHWC). An option-A
 * shortcut's placement is remapped: surviving input channel i goes to the new index of
 * placement[i] (groups guarantee that i survives exactly when placement[i] does).
 * Constants of removed constant channels are folded into the consumers first (fold.ts), computed
 * with the original weights.
 */
import { findNode, inferShapes, nodeWeightShapes, type LayerNode, type ModelSpec } from '../../catalog/models/spec';
import type { NamedValues } from '../train/checkpoint';
import type { FoldRow } from '../../shared/prune-types';
import type { GroupGraph, NodeSpace } from './groups';
import { foldTargets, type FoldTarget, type PaddedConsumers } from './fold';

export interface ShrinkResult {
  spec: ModelSpec;
  weights: NamedValues;
  folded: FoldRow[];
}

/**
 * Per layer, the constants at the activity node of its removed channels (channel → k), and whether
 * they fold exactly or, for measured means feeding a padded conv, inside the image only (fold.ts).
 */
export type RemovedConstants = Map<string, { values: Map<number, number>; padded: PaddedConsumers }>;

function keptIndices(graph: GroupGraph, removed: Set<number>, space: NodeSpace): number[] {
  const ids = graph.spaceGroups.get(space.space)!;
  const kept: number[] = [];
  ids.forEach((g, c) => {
    if (!removed.has(g)) kept.push(c);
  });
  if (space.kind === 'channels') return kept;
  const flat: number[] = [];
  for (let p = 0; p < space.positions; p++) for (const c of kept) flat.push(p * space.channels + c);
  return flat;
}

/** Gathers axis `axis` of a row-major tensor at `index`. */
export function gather(t: { shape: number[]; values: Float32Array }, axis: number, index: number[]): { shape: number[]; values: Float32Array } {
  const shape = t.shape;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = shape[axis]!;
  const out = new Float32Array(outer * index.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < index.length; j++) {
      const src = (o * n + index[j]!) * inner;
      out.set(t.values.subarray(src, src + inner), (o * index.length + j) * inner);
    }
  }
  const newShape = [...shape];
  newShape[axis] = index.length;
  return { shape: newShape, values: out };
}

/** Delta of each consumer's output channel caused by the constants, with the original weights. */
function foldDeltas(
  spec: ModelSpec,
  weights: NamedValues,
  graph: GroupGraph,
  constants: RemovedConstants,
): { deltas: Map<string, Float64Array>; folded: FoldRow[] } {
  const deltas = new Map<string, Float64Array>();
  const folded: FoldRow[] = [];
  for (const [layerName, { values: channels, padded }] of constants) {
    if (channels.size === 0) continue;
    const layer = spec.prunable.find((p) => p.layer === layerName)!;
    const targets = foldTargets(spec, layer, padded);
    if (typeof targets === 'string') throw new Error(`The constant output of ${layerName} cannot be folded: ${targets}.`);
    // plan.ts asks for 'interior' only where the exact rule refuses the layer.
    const exact = padded === 'refuse';
    for (const t of targets) addDelta(spec, weights, graph, t, layerName, channels, deltas);
    for (const [channel, value] of channels) folded.push({ layer: layerName, channel, value, into: targets.map((t) => t.consumer), exact });
  }
  return { deltas, folded };
}

function addDelta(
  spec: ModelSpec,
  weights: NamedValues,
  graph: GroupGraph,
  target: FoldTarget,
  layer: string,
  channels: Map<number, number>,
  deltas: Map<string, Float64Array>,
): void {
  const node = findNode(spec, target.consumer);
  const kernel = weights.get(`${node.name}/kernel`)!;
  const out = kernel.shape[kernel.shape.length - 1]!;
  const delta = deltas.get(target.into.weight) ?? new Float64Array(out);
  if (node.op === 'dense') {
    const space = graph.nodeSpaces.get(node.input)!;
    if (space.space !== layer) throw new Error(`Dense ${node.name} does not read ${layer}.`);
    const positions = space.kind === 'flat' ? space.positions : 1;
    for (const [c, k] of channels) {
      for (let p = 0; p < positions; p++) {
        const idx = p * space.channels + c;
        for (let o = 0; o < out; o++) delta[o] = delta[o]! + k * kernel.values[idx * out + o]!;
      }
    }
  } else if (node.op === 'conv2d') {
    const [kh, kw, cin] = kernel.shape as [number, number, number, number];
    for (const [c, k] of channels) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const base = ((y * kw + x) * cin + c) * out;
          for (let o = 0; o < out; o++) delta[o] = delta[o]! + k * kernel.values[base + o]!;
        }
      }
    }
  }
  deltas.set(target.into.weight, delta);
}

export function shrinkModel(
  spec: ModelSpec,
  weights: NamedValues,
  graph: GroupGraph,
  removed: Set<number>,
  constants: RemovedConstants = new Map(),
): ShrinkResult {
  const { deltas, folded } = foldDeltas(spec, weights, graph, constants);
  const keep = (name: string): number[] => keptIndices(graph, removed, graph.nodeSpaces.get(name)!);
  const newWeights: NamedValues = new Map();
  const nodes: LayerNode[] = spec.nodes.map((node) => {
    switch (node.op) {
      case 'conv2d':
      case 'dense': {
        const out = keep(node.name);
        const inKeep = keep(node.input);
        if (out.length === 0) throw new Error(`Pruning would leave layer ${node.name} without channels.`);
        const kernel = weights.get(`${node.name}/kernel`)!;
        const inAxis = kernel.shape.length - 2;
        newWeights.set(`${node.name}/kernel`, gather(gather(kernel, inAxis, inKeep), inAxis + 1, out));
        if (node.useBias) newWeights.set(`${node.name}/bias`, gather(shifted(weights, `${node.name}/bias`, deltas, 1), 0, out));
        return node.op === 'conv2d' ? { ...node, filters: out.length } : { ...node, units: out.length };
      }
      case 'batchnorm': {
        const kept = keep(node.input);
        for (const suffix of ['gamma', 'beta', 'movingMean', 'movingVariance']) {
          const name = `${node.name}/${suffix}`;
          newWeights.set(name, gather(shifted(weights, name, deltas, -1), 0, kept));
        }
        return { ...node };
      }
      case 'shortcutA': {
        const out = keep(node.name);
        const newIndex = new Map(out.map((c, i) => [c, i]));
        const placement = keep(node.input).map((i) => {
          const to = newIndex.get(node.placement[i]!);
          if (to === undefined) throw new Error(`Shortcut ${node.name}: input channel ${i} survives but its output channel does not.`);
          return to;
        });
        return { ...node, channels: out.length, placement };
      }
      case 'add':
        return { ...node, inputs: [...node.inputs] as [string, string] };
      default:
        return { ...node };
    }
  });
  const newSpec: ModelSpec = {
    ...spec,
    nodes,
    taps: [...spec.taps],
    prunable: spec.prunable.map((p) => ({ ...p })),
  };
  // Sanity: every weight of the new spec exists with the right shape.
  const newShapes = inferShapes(newSpec);
  for (const node of newSpec.nodes) {
    for (const [name, shape] of nodeWeightShapes(node, newShapes)) {
      const w = newWeights.get(name);
      if (!w || w.shape.join('x') !== shape.join('x')) {
        throw new Error(`Shrinking produced weight ${name} of shape ${w?.shape.join('x') ?? 'none'}, expected ${shape.join('x')}.`);
      }
    }
  }
  return { spec: newSpec, weights: newWeights, folded };
}

/** A weight with a fold delta added (sign +1 for biases, −1 for BN running means). */
function shifted(weights: NamedValues, name: string, deltas: Map<string, Float64Array>, sign: 1 | -1): { shape: number[]; values: Float32Array } {
  const w = weights.get(name);
  if (!w) throw new Error(`The model has no weight "${name}".`);
  const d = deltas.get(name);
  if (!d || (sign === -1 && !name.endsWith('/movingMean'))) return w;
  return { shape: w.shape, values: Float32Array.from(w.values, (v, i) => v + sign * d[i]!) };
}
