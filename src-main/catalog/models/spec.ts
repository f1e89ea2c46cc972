/**
 * The model description every part of the engine shares: a small, explicit layer graph.
 *
 * A model is data (ModelSpec) plus a map of named weights (see init.ts). Keeping the graph as data,
 * rather than as tfjs-layers objects, is what lets the engine tap any hidden feature for FFR, count
 * parameters and multiply-accumulates exactly, rebuild a physically smaller model after pruning and
 * write it out as TF.js or ONNX from one description.
 *
 * Tensors are NHWC. Weight names: `<layer>/kernel`, `<layer>/bias`, `<bn>/gamma`, `<bn>/beta`,
 * `<bn>/movingMean`, `<bn>/movingVariance`. Conv kernels are [kh, kw, in, out]; dense kernels [in, out].
 */
import type { ImageShape, ModelName } from '../../shared/run-config';

/** Symmetric explicit padding (pixels on each side), or tfjs's 'same' / 'valid'. */
export type Padding = 'same' | 'valid' | number;

export interface Conv2dNode {
  op: 'conv2d';
  name: string;
  input: string;
  filters: number;
  kernel: number;
  stride: number;
  padding: Padding;
  useBias: boolean;
}
export interface BatchNormNode {
  op: 'batchnorm';
  name: string;
  input: string;
  epsilon: number;
  /** Running statistics keep `momentum` of the old value each step (Keras convention). */
  momentum: number;
}
export interface ReluNode {
  op: 'relu';
  name: string;
  input: string;
}
export interface MaxPoolNode {
  op: 'maxpool';
  name: string;
  input: string;
  size: number;
  stride: number;
}
export interface GlobalAvgPoolNode {
  op: 'globalavgpool';
  name: string;
  input: string;
}
export interface FlattenNode {
  op: 'flatten';
  name: string;
  input: string;
}
export interface DenseNode {
  op: 'dense';
  name: string;
  input: string;
  units: number;
  useBias: boolean;
}
export interface AddNode {
  op: 'add';
  name: string;
  inputs: [string, string];
}
/**
 * ResNet option-A shortcut: x[:, ::stride, ::stride, :] with its channels placed into a zero tensor of
 * `channels` channels. Parameter-free. `placement[i]` is the output channel of input channel i:
 * unpruned, the input sits in the middle (the usual symmetric zero-padding); after pruning, the
 * surviving channels keep their positions relative to the surviving output channels (see prune/).
 */
export interface ShortcutANode {
  op: 'shortcutA';
  name: string;
  input: string;
  stride: number;
  channels: number;
  /** For each input channel, its output channel index. */
  placement: number[];
}

export type LayerNode =
  | Conv2dNode
  | BatchNormNode
  | ReluNode
  | MaxPoolNode
  | GlobalAvgPoolNode
  | FlattenNode
  | DenseNode
  | AddNode
  | ShortcutANode;

/** A conv or dense layer whose output channels (units) can be removed. */
export interface PrunableLayer {
  /** The conv2d or dense node. */
  layer: string;
  kind: 'conv' | 'dense';
  /** Its batch norm, if one follows directly. */
  bn?: string;
  /** The node whose per-channel output measures the layer's activity (post-ReLU where there is one). */
  activityNode: string;
  /** The FFR tap this layer's channels flow into directly (a residual block's output for its conv2). */
  tap?: string;
}

export interface ModelSpec {
  arch: ModelName;
  inputShape: ImageShape;
  classes: number;
  /** Topologically ordered; the graph input is the implicit node `INPUT`. */
  nodes: LayerNode[];
  /** Node producing the logits. */
  output: string;
  /** FFR taps x_1..x_L, in order (docs/ffr.md). */
  taps: string[];
  prunable: PrunableLayer[];
}

export const INPUT = 'input';

/** Output shape of a node without the batch axis: [h, w, c] for images, [n] for vectors. */
export type FeatureShape = number[];

export function convOutputSize(size: number, kernel: number, stride: number, padding: Padding): number {
  if (padding === 'same') return Math.ceil(size / stride);
  const pad = padding === 'valid' ? 0 : padding;
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

export function nodeInputs(node: LayerNode): string[] {
  return node.op === 'add' ? node.inputs : [node.input];
}

/** Shapes of every node's output, keyed by node name (plus INPUT). Throws on an inconsistent graph. */
export function inferShapes(spec: ModelSpec): Map<string, FeatureShape> {
  const shapes = new Map<string, FeatureShape>([[INPUT, [...spec.inputShape]]]);
  const get = (name: string, by: string): FeatureShape => {
    const s = shapes.get(name);
    if (!s) throw new Error(`Model ${spec.arch}: node "${by}" reads "${name}", which is not defined before it.`);
    return s;
  };
  for (const node of spec.nodes) {
    if (shapes.has(node.name)) throw new Error(`Model ${spec.arch}: duplicate node name "${node.name}".`);
    let out: FeatureShape;
    switch (node.op) {
      case 'conv2d': {
        const [h, w] = image(get(node.input, node.name), node.name);
        out = [
          convOutputSize(h, node.kernel, node.stride, node.padding),
          convOutputSize(w, node.kernel, node.stride, node.padding),
          node.filters,
        ];
        break;
      }
      case 'batchnorm':
      case 'relu':
        out = get(node.input, node.name);
        break;
      case 'maxpool': {
        const [h, w, c] = image(get(node.input, node.name), node.name);
        out = [
          convOutputSize(h, node.size, node.stride, 'valid'),
          convOutputSize(w, node.size, node.stride, 'valid'),
          c,
        ];
        break;
      }
      case 'globalavgpool': {
        const [, , c] = image(get(node.input, node.name), node.name);
        out = [c];
        break;
      }
      case 'flatten':
        out = [get(node.input, node.name).reduce((a, b) => a * b, 1)];
        break;
      case 'dense': {
        const inShape = get(node.input, node.name);
        if (inShape.length !== 1) throw new Error(`Model ${spec.arch}: dense "${node.name}" needs a vector input.`);
        out = [node.units];
        break;
      }
      case 'add': {
        const a = get(node.inputs[0], node.name);
        const b = get(node.inputs[1], node.name);
        if (a.join('x') !== b.join('x')) {
          throw new Error(`Model ${spec.arch}: add "${node.name}" joins shapes ${a.join('x')} and ${b.join('x')}.`);
        }
        out = a;
        break;
      }
      case 'shortcutA': {
        const [h, w] = image(get(node.input, node.name), node.name);
        out = [Math.ceil(h / node.stride), Math.ceil(w / node.stride), node.channels];
        break;
      }
    }
    if (out.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new Error(`Model ${spec.arch}: node "${node.name}" would have output shape ${out.join('x')}.`);
    }
    shapes.set(node.name, out);
  }
  return shapes;
}

function image(shape: FeatureShape, by: string): [number, number, number] {
  if (shape.length !== 3) throw new Error(`Node "${by}" needs an image input [h, w, c], got [${shape.join(', ')}].`);
  return shape as [number, number, number];
}

/** Channels (last axis) of a node's output. */
export function channelsOf(shapes: Map<string, FeatureShape>, name: string): number {
  const s = shapes.get(name);
  if (!s) throw new Error(`Unknown node "${name}".`);
  return s[s.length - 1]!;
}

export function findNode(spec: ModelSpec, name: string): LayerNode {
  const node = spec.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`Model ${spec.arch} has no layer "${name}".`);
  return node;
}

/** The weights a node owns, with their shapes. */
export function nodeWeightShapes(node: LayerNode, shapes: Map<string, FeatureShape>): Array<[string, number[]]> {
  switch (node.op) {
    case 'conv2d': {
      const cin = channelsOf(shapes, node.input);
      const w: Array<[string, number[]]> = [[`${node.name}/kernel`, [node.kernel, node.kernel, cin, node.filters]]];
      if (node.useBias) w.push([`${node.name}/bias`, [node.filters]]);
      return w;
    }
    case 'dense': {
      const fin = channelsOf(shapes, node.input);
      const w: Array<[string, number[]]> = [[`${node.name}/kernel`, [fin, node.units]]];
      if (node.useBias) w.push([`${node.name}/bias`, [node.units]]);
      return w;
    }
    case 'batchnorm': {
      const c = channelsOf(shapes, node.input);
      return [
        [`${node.name}/gamma`, [c]],
        [`${node.name}/beta`, [c]],
        [`${node.name}/movingMean`, [c]],
        [`${node.name}/movingVariance`, [c]],
      ];
    }
    default:
      return [];
  }
}

/** Whether a weight is learned (running BN statistics are not, and are not counted as parameters). */
export function isTrainableWeight(weightName: string): boolean {
  return !weightName.endsWith('/movingMean') && !weightName.endsWith('/movingVariance');
}

export interface LayerCost {
  name: string;
  op: LayerNode['op'];
  params: number;
  macs: number;
}

/**
 * Parameters (learned weights, BN γ/β included, running statistics excluded) and multiply-accumulates
 * per image, per node. MACs count convolutions and dense layers, the convention of the pruning
 * literature (which calls them FLOPs): VGG-16/CIFAR-10 313.2 M, ResNet-56 125.5 M.
 */
export function layerCosts(spec: ModelSpec): LayerCost[] {
  const shapes = inferShapes(spec);
  return spec.nodes.map((node) => {
    const params = nodeWeightShapes(node, shapes)
      .filter(([n]) => isTrainableWeight(n))
      .reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
    let macs = 0;
    if (node.op === 'conv2d') {
      const [ho, wo, co] = shapes.get(node.name)!;
      macs = ho! * wo! * co! * node.kernel * node.kernel * channelsOf(shapes, node.input);
    } else if (node.op === 'dense') {
      macs = channelsOf(shapes, node.input) * node.units;
    }
    return { name: node.name, op: node.op, params, macs };
  });
}

export function totalCost(spec: ModelSpec): { params: number; macs: number } {
  return layerCosts(spec).reduce((t, c) => ({ params: t.params + c.params, macs: t.macs + c.macs }), {
    params: 0,
    macs: 0,
  });
}
