/**
 * Dependency groups: which output channels of the model must be removed together.
 *
 * Every node that creates channels (conv2d, dense, shortcutA, the input) opens a "channel space";
 * batchnorm, relu, maxpool and global average pooling keep their input's space; flatten maps
 * channel c of an h×w×c map to the flat indices (y·w + x)·c + c' = c (NHWC order). Channels are then
 * tied with union-find, channel by channel (not layer by layer):
 * - an add ties channel k of its two inputs (residual blocks: the block's conv2, the shortcut and,
 *   through the identity shortcuts, every block of the stage and the stem);
 * - an option-A shortcut ties its input channel i to its output channel placement[i] (the padded
 *   output channels stay tied only to the block's conv2 channels);
 * - an option-B projection is a conv: its output channels are a space tied by the add, its input
 *   channels are just consumed (nothing to tie).
 * A group is removable when it holds at least one prunable conv/dense channel and no fixed channel
 * (input image channels, the classifier's logits, a conv/dense that is not declared prunable).
 */
import { INPUT, inferShapes, type FeatureShape, type ModelSpec } from '../../catalog/models/spec';

export interface ChannelRef {
  layer: string;
  channel: number;
}

export interface ChannelGroup {
  id: number;
  /** Prunable conv/dense output channels in the group. */
  members: ChannelRef[];
  /** False when a fixed channel (input, logits, non-prunable layer) is in the group. */
  removable: boolean;
  /** True when the group spans a residual addition or an option-A shortcut. */
  residual: boolean;
}

/** Where a node's output channels live. */
export type NodeSpace =
  | { kind: 'channels'; space: string; channels: number }
  /** A flatten output: flat index = position · channels + channel of `space`. */
  | { kind: 'flat'; space: string; positions: number; channels: number };

export interface GroupGraph {
  groups: ChannelGroup[];
  /** Per space (producer node name or INPUT), the group id of each channel. */
  spaceGroups: Map<string, Int32Array>;
  /** Per node (and INPUT), its output's space. */
  nodeSpaces: Map<string, NodeSpace>;
  shapes: Map<string, FeatureShape>;
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    // Path compression.
    let j = i;
    while (this.parent[j] !== r) {
      const next = this.parent[j]!;
      this.parent[j] = r;
      j = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

export function buildGroups(spec: ModelSpec): GroupGraph {
  const shapes = inferShapes(spec);
  const prunable = new Set(spec.prunable.map((p) => p.layer));
  const last = (s: FeatureShape): number => s[s.length - 1]!;

  // Spaces and their unit offsets.
  const offsets = new Map<string, number>();
  const sizes = new Map<string, number>();
  let total = 0;
  const open = (name: string, channels: number): void => {
    offsets.set(name, total);
    sizes.set(name, channels);
    total += channels;
  };
  const nodeSpaces = new Map<string, NodeSpace>();
  const inputShape = shapes.get(INPUT)!;
  open(INPUT, last(inputShape));
  nodeSpaces.set(INPUT, { kind: 'channels', space: INPUT, channels: last(inputShape) });
  const fixedSpaces = new Set<string>([INPUT]);

  const spaceOf = (name: string, by: string): NodeSpace => {
    const s = nodeSpaces.get(name);
    if (!s) throw new Error(`Model ${spec.arch}: node "${by}" reads "${name}", which has no channel space.`);
    return s;
  };
  const channelSpaceOf = (name: string, by: string): { kind: 'channels'; space: string; channels: number } => {
    const s = spaceOf(name, by);
    if (s.kind !== 'channels') throw new Error(`Model ${spec.arch}: node "${by}" cannot read the flattened "${name}".`);
    return s;
  };

  const ties: Array<[string, number, string, number]> = [];
  for (const node of spec.nodes) {
    const out = shapes.get(node.name)!;
    switch (node.op) {
      case 'conv2d':
      case 'dense':
        open(node.name, last(out));
        if (!prunable.has(node.name)) fixedSpaces.add(node.name);
        nodeSpaces.set(node.name, { kind: 'channels', space: node.name, channels: last(out) });
        break;
      case 'shortcutA': {
        const input = channelSpaceOf(node.input, node.name);
        open(node.name, node.channels);
        nodeSpaces.set(node.name, { kind: 'channels', space: node.name, channels: node.channels });
        node.placement.forEach((to, from) => ties.push([input.space, from, node.name, to]));
        break;
      }
      case 'batchnorm':
      case 'relu':
      case 'maxpool':
      case 'globalavgpool':
        nodeSpaces.set(node.name, channelSpaceOf(node.input, node.name));
        break;
      case 'flatten': {
        const input = spaceOf(node.input, node.name);
        const inShape = shapes.get(node.input)!;
        if (input.kind === 'flat') {
          nodeSpaces.set(node.name, input);
        } else {
          const positions = inShape.slice(0, -1).reduce((a, b) => a * b, 1);
          nodeSpaces.set(node.name, { kind: 'flat', space: input.space, positions, channels: input.channels });
        }
        break;
      }
      case 'add': {
        const a = channelSpaceOf(node.inputs[0], node.name);
        const b = channelSpaceOf(node.inputs[1], node.name);
        for (let c = 0; c < a.channels; c++) ties.push([a.space, c, b.space, c]);
        nodeSpaces.set(node.name, a);
        break;
      }
    }
  }

  const uf = new UnionFind(total);
  for (const [sa, ca, sb, cb] of ties) uf.union(offsets.get(sa)! + ca, offsets.get(sb)! + cb);
  const tiedUnits = new Set<number>();
  for (const [sa, ca, sb, cb] of ties) {
    tiedUnits.add(uf.find(offsets.get(sa)! + ca));
    tiedUnits.add(uf.find(offsets.get(sb)! + cb));
  }

  // Number groups in order of first appearance, so ids are stable and readable.
  const groupIdOfRoot = new Map<number, number>();
  const groups: ChannelGroup[] = [];
  const spaceGroups = new Map<string, Int32Array>();
  for (const [space, offset] of offsets) {
    const n = sizes.get(space)!;
    const ids = new Int32Array(n);
    for (let c = 0; c < n; c++) {
      const root = uf.find(offset + c);
      let id = groupIdOfRoot.get(root);
      if (id === undefined) {
        id = groups.length;
        groupIdOfRoot.set(root, id);
        groups.push({ id, members: [], removable: true, residual: tiedUnits.has(root) });
      }
      ids[c] = id;
      const group = groups[id]!;
      if (fixedSpaces.has(space)) group.removable = false;
      else if (prunable.has(space)) group.members.push({ layer: space, channel: c });
    }
    spaceGroups.set(space, ids);
  }
  for (const g of groups) if (g.members.length === 0) g.removable = false;
  return { groups, spaceGroups, nodeSpaces, shapes };
}

/** Output channels (units) of a prunable layer. */
export function layerWidth(graph: GroupGraph, layer: string): number {
  const ids = graph.spaceGroups.get(layer);
  if (!ids) throw new Error(`Layer "${layer}" has no channel space.`);
  return ids.length;
}
