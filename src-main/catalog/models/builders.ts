/**
 * The architectures the workbench trains, as ModelSpecs. Layer names are what users see in
 * snapshots, pruning reports and exports, so they are short and stable: `conv3`, `s2.b1.conv1`.
 */
import type { ImageShape, ModelName } from '../../shared/run-config';
import { INPUT, type LayerNode, type ModelSpec, type PrunableLayer } from './spec';

export interface BuildOptions {
  inputShape: ImageShape;
  classes: number;
  /** Channel-width multiplier. */
  width: number;
  /** ResNet stage-transition shortcut. */
  shortcut: 'A' | 'B';
}

/** Channels after the width multiplier: at least one. */
export function scaled(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

/** Collects nodes, FFR taps and prunable layers while an architecture is written out. */
class SpecWriter {
  readonly nodes: LayerNode[] = [];
  readonly taps: string[] = [];
  readonly prunable: PrunableLayer[] = [];

  add<T extends LayerNode>(node: T): string {
    this.nodes.push(node);
    return node.name;
  }

  /** conv → BN → ReLU (BN optional), recorded as a prunable layer; returns the ReLU's name. */
  convBlock(
    name: string,
    input: string,
    filters: number,
    o: { kernel?: number; stride?: number; padding?: number | 'same' | 'valid'; bn: boolean; tap: boolean },
  ): string {
    const kernel = o.kernel ?? 3;
    this.add({
      op: 'conv2d',
      name,
      input,
      filters,
      kernel,
      stride: o.stride ?? 1,
      padding: o.padding ?? (kernel - 1) / 2,
      useBias: !o.bn,
    });
    let last = name;
    if (o.bn) last = this.add({ op: 'batchnorm', name: `${name}.bn`, input: last, epsilon: 1e-5, momentum: 0.9 });
    const relu = this.add({ op: 'relu', name: `${name}.relu`, input: last });
    this.prunable.push({
      layer: name,
      kind: 'conv',
      ...(o.bn ? { bn: `${name}.bn` } : {}),
      activityNode: relu,
      ...(o.tap ? { tap: relu } : {}),
    });
    if (o.tap) this.taps.push(relu);
    return relu;
  }

  /** dense → BN → ReLU (BN optional), a prunable hidden layer and an FFR tap. */
  denseBlock(name: string, input: string, units: number, o: { bn: boolean } = { bn: false }): string {
    this.add({ op: 'dense', name, input, units, useBias: !o.bn });
    let last = name;
    if (o.bn) last = this.add({ op: 'batchnorm', name: `${name}.bn`, input: last, epsilon: 1e-5, momentum: 0.9 });
    const relu = this.add({ op: 'relu', name: `${name}.relu`, input: last });
    this.prunable.push({ layer: name, kind: 'dense', ...(o.bn ? { bn: `${name}.bn` } : {}), activityNode: relu, tap: relu });
    this.taps.push(relu);
    return relu;
  }

  finish(arch: ModelName, o: BuildOptions, output: string): ModelSpec {
    return {
      arch,
      inputShape: o.inputShape,
      classes: o.classes,
      nodes: this.nodes,
      output,
      taps: this.taps,
      prunable: this.prunable,
    };
  }
}

/** LeNet-300-100: two hidden dense layers on the flattened image. */
function mlp(o: BuildOptions): ModelSpec {
  const w = new SpecWriter();
  let x = w.add({ op: 'flatten', name: 'flatten', input: INPUT });
  x = w.denseBlock('fc1', x, scaled(300, o.width));
  x = w.denseBlock('fc2', x, scaled(100, o.width));
  const out = w.add({ op: 'dense', name: 'classifier', input: x, units: o.classes, useBias: true });
  return w.finish('mlp', o, out);
}

/**
 * LeNet-5 with ReLU, max-pooling and batch norm after every hidden layer (as modern re-implementations
 * do): conv 6@5×5 (same) → pool → conv 16@5×5 → pool → 120 → 84 → classes. 62.2 K parameters on MNIST
 * (LeCun et al. 1998: 61.7 K without BN).
 *
 * Why BN: a ReLU layer is positively homogeneous, so without normalization a network can shrink a
 * layer's output and grow the next layer's weights to compensate. The FFR length term is then paid
 * off by shrinking every channel a little rather than switching channels off (measured on MNIST: no
 * gain in dead channels over no regularizer). With BN the scale is pinned, and the penalty can only
 * be reduced by silencing channels, which is the structured sparsity FFR is for.
 */
function lenet5(o: BuildOptions): ModelSpec {
  const w = new SpecWriter();
  let x = w.convBlock('conv1', INPUT, scaled(6, o.width), { kernel: 5, padding: 2, bn: true, tap: true });
  x = w.add({ op: 'maxpool', name: 'pool1', input: x, size: 2, stride: 2 });
  x = w.convBlock('conv2', x, scaled(16, o.width), { kernel: 5, padding: 'valid', bn: true, tap: true });
  x = w.add({ op: 'maxpool', name: 'pool2', input: x, size: 2, stride: 2 });
  x = w.add({ op: 'flatten', name: 'flatten', input: x });
  x = w.denseBlock('fc1', x, scaled(120, o.width), { bn: true });
  x = w.denseBlock('fc2', x, scaled(84, o.width), { bn: true });
  const out = w.add({ op: 'dense', name: 'classifier', input: x, units: o.classes, useBias: true });
  return w.finish('lenet5', o, out);
}

const VGG_CONFIGS: Record<'vgg11' | 'vgg13' | 'vgg16' | 'vgg19', Array<number | 'M'>> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/**
 * CIFAR-style VGG: 3×3 conv (no bias) + BN + ReLU, 2×2 max-pooling, global average pooling and one
 * linear classifier. A pooling step is skipped once the feature map is 1 pixel wide, so smaller inputs
 * (MNIST's 28×28) work too; on 32×32 inputs the average pooling sees 1×1 maps and costs nothing.
 */
function vgg(arch: keyof typeof VGG_CONFIGS, o: BuildOptions): ModelSpec {
  const w = new SpecWriter();
  let x: string = INPUT;
  let size = Math.min(o.inputShape[0], o.inputShape[1]);
  let conv = 0;
  let pool = 0;
  for (const item of VGG_CONFIGS[arch]) {
    if (item === 'M') {
      pool += 1;
      if (size >= 2) {
        x = w.add({ op: 'maxpool', name: `pool${pool}`, input: x, size: 2, stride: 2 });
        size = Math.floor(size / 2);
      }
    } else {
      conv += 1;
      x = w.convBlock(`conv${conv}`, x, scaled(item, o.width), { bn: true, tap: true });
    }
  }
  x = w.add({ op: 'globalavgpool', name: 'gap', input: x });
  const out = w.add({ op: 'dense', name: 'classifier', input: x, units: o.classes, useBias: true });
  return w.finish(arch, o, out);
}

const RESNET_DEPTHS: Record<'resnet20' | 'resnet32' | 'resnet56' | 'resnet110', number> = {
  resnet20: 20,
  resnet32: 32,
  resnet56: 56,
  resnet110: 110,
};

/**
 * CIFAR ResNet (He et al. 2016, §4.2): 3×3 stem with 16 channels, three stages of (depth − 2) / 6
 * basic blocks with 16, 32, 64 channels, global average pooling, linear classifier. Stage transitions
 * use option A (strided identity, zero-padded channels) or option B (1×1 conv + BN).
 * Option A gives the literature's 0.27 M / 40.6 M MACs (ResNet-20) and 0.85 M / 125.5 M (ResNet-56).
 */
function resnet(arch: keyof typeof RESNET_DEPTHS, o: BuildOptions): ModelSpec {
  const blocks = (RESNET_DEPTHS[arch] - 2) / 6;
  const w = new SpecWriter();
  let x = w.convBlock('stem', INPUT, scaled(16, o.width), { bn: true, tap: true });
  let inChannels = scaled(16, o.width);
  [16, 32, 64].forEach((base, stage) => {
    const channels = scaled(base, o.width);
    for (let b = 0; b < blocks; b++) {
      const p = `s${stage + 1}.b${b}`;
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const h = w.convBlock(`${p}.conv1`, x, channels, { stride, bn: true, tap: true });
      w.add({ op: 'conv2d', name: `${p}.conv2`, input: h, filters: channels, kernel: 3, stride: 1, padding: 1, useBias: false });
      const bn2 = w.add({ op: 'batchnorm', name: `${p}.conv2.bn`, input: `${p}.conv2`, epsilon: 1e-5, momentum: 0.9 });
      const conv2: PrunableLayer = { layer: `${p}.conv2`, kind: 'conv', bn: bn2, activityNode: bn2 };
      w.prunable.push(conv2);
      let shortcut = x;
      if (stride !== 1 || inChannels !== channels) {
        if (o.shortcut === 'A') {
          const pad = Math.floor((channels - inChannels) / 2);
          shortcut = w.add({
            op: 'shortcutA',
            name: `${p}.shortcut`,
            input: x,
            stride,
            channels,
            placement: Array.from({ length: inChannels }, (_, i) => i + pad),
          });
        } else {
          w.add({ op: 'conv2d', name: `${p}.shortcut`, input: x, filters: channels, kernel: 1, stride, padding: 0, useBias: false });
          shortcut = w.add({ op: 'batchnorm', name: `${p}.shortcut.bn`, input: `${p}.shortcut`, epsilon: 1e-5, momentum: 0.9 });
          w.prunable.push({ layer: `${p}.shortcut`, kind: 'conv', bn: shortcut, activityNode: shortcut });
        }
      }
      const sum = w.add({ op: 'add', name: `${p}.add`, inputs: [bn2, shortcut] });
      x = w.add({ op: 'relu', name: `${p}.relu`, input: sum });
      w.taps.push(x);
      conv2.tap = x;
      inChannels = channels;
    }
  });
  x = w.add({ op: 'globalavgpool', name: 'gap', input: x });
  const out = w.add({ op: 'dense', name: 'classifier', input: x, units: o.classes, useBias: true });
  return w.finish(arch, o, out);
}

export function buildModelSpec(arch: ModelName, o: BuildOptions): ModelSpec {
  switch (arch) {
    case 'mlp':
      return mlp(o);
    case 'lenet5':
      return lenet5(o);
    case 'vgg11':
    case 'vgg13':
    case 'vgg16':
    case 'vgg19':
      return vgg(arch, o);
    case 'resnet20':
    case 'resnet32':
    case 'resnet56':
    case 'resnet110':
      return resnet(arch, o);
  }
}
