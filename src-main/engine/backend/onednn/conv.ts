/**
 * Convolution kernels on oneDNN: Conv2D, FusedConv2D (bias and ReLU fused as oneDNN post-ops),
 * Conv2DBackpropInput, Conv2DBackpropFilter and the three depthwise kernels (grouped convolutions
 * with one group per input channel). Geometry comes from tfjs's own computeConv2DInfo, so padding
 * modes, rounding and output shapes are exactly tfjs's.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';
import { loadOnednnAddon, type OnednnAddon } from './addon';
import { allFloat32, assertNhwc, fallback, offsetOf, run } from './call';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function addon(): OnednnAddon {
  return loadOnednnAddon().addon!;
}

/** The geometry block of native/onednn/src/convolution.cc (enum Geo). */
function geometry(info: Conv2DInfo, groups: number, hasBias: boolean, relu: boolean): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    groups, hasBias ? 1 : 0, relu ? 1 : 0,
  ];
}

interface Args<I> {
  inputs: I;
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}

function convInfo(xShape: number[], filterShape: number[], attrs: Record<string, unknown>, depthwise: boolean): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    (attrs.dilations as number | [number, number] | undefined) ?? 1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
    depthwise,
    'channelsLast',
  );
}

function forward(name: string, args: Args<{ x: TensorInfo; filter: TensorInfo; bias?: TensorInfo }>, depthwise: boolean, relu: boolean): TensorInfo {
  const { x, filter, bias } = args.inputs;
  const { backend } = args;
  const info = convInfo(x.shape, filter.shape, args.attrs, depthwise);
  const out = backend.makeOutput(info.outShape, 'float32');
  const groups = depthwise ? info.inChannels : 1;
  run(backend, addon().convForward, [
    ...geometry(info, groups, bias !== undefined, relu),
    offsetOf(backend, x), offsetOf(backend, filter), bias ? offsetOf(backend, bias) : 0, offsetOf(backend, out),
  ]);
  return out;
}

function conv2D(args: Args<{ x: TensorInfo; filter: TensorInfo }>): TensorInfo {
  assertNhwc('Conv2D', args.attrs.dataFormat as string);
  if (!allFloat32(args.inputs.x, args.inputs.filter)) return fallback('Conv2D', args) as TensorInfo;
  return forward('Conv2D', args, false, false);
}

/** tfjs's fused conv: bias and ReLU run as oneDNN post-ops; other activations go to wasm. */
function fused(name: 'FusedConv2D' | 'FusedDepthwiseConv2D', depthwise: boolean) {
  return (args: Args<{ x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo }>): TensorInfo => {
    const { x, filter, bias } = args.inputs;
    const activation = (args.attrs.activation as string | undefined) ?? 'linear';
    const outChannels = depthwise ? filter.shape[2]! * filter.shape[3]! : filter.shape[3]!;
    const biasOk = bias === undefined || bias.shape.reduce((a, b) => a * b, 1) === outChannels;
    if (!allFloat32(x, filter, bias) || !biasOk || (activation !== 'linear' && activation !== 'relu')) return fallback(name, args) as TensorInfo;
    assertNhwc(name, args.attrs.dataFormat as string);
    return forward(name, { ...args, inputs: { x, filter, bias } }, depthwise, activation === 'relu');
  };
}

function depthwiseConv2dNative(args: Args<{ x: TensorInfo; filter: TensorInfo }>): TensorInfo {
  assertNhwc('DepthwiseConv2dNative', args.attrs.dataFormat as string);
  if (!allFloat32(args.inputs.x, args.inputs.filter)) return fallback('DepthwiseConv2dNative', args) as TensorInfo;
  return forward('DepthwiseConv2dNative', args, true, false);
}

function backpropInput(name: string, depthwise: boolean) {
  return (args: Args<{ dy: TensorInfo; filter: TensorInfo }>): TensorInfo => {
    const { dy, filter } = args.inputs;
    const { backend } = args;
    assertNhwc(name, args.attrs.dataFormat as string);
    if (!allFloat32(dy, filter)) return fallback(name, args) as TensorInfo;
    const inputShape = args.attrs.inputShape as number[];
    const info = convInfo(inputShape, filter.shape, args.attrs, depthwise);
    const dx = backend.makeOutput(inputShape, 'float32');
    run(backend, addon().convBackwardData, [
      ...geometry(info, depthwise ? info.inChannels : 1, false, false),
      offsetOf(backend, dy), offsetOf(backend, filter), offsetOf(backend, dx),
    ]);
    return dx;
  };
}

function backpropFilter(name: string, depthwise: boolean) {
  return (args: Args<{ x: TensorInfo; dy: TensorInfo }>): TensorInfo => {
    const { x, dy } = args.inputs;
    const { backend } = args;
    assertNhwc(name, args.attrs.dataFormat as string);
    if (!allFloat32(x, dy)) return fallback(name, args) as TensorInfo;
    const filterShape = args.attrs.filterShape as number[];
    const info = convInfo(x.shape, filterShape, args.attrs, depthwise);
    const dw = backend.makeOutput(filterShape, 'float32');
    run(backend, addon().convBackwardWeights, [
      ...geometry(info, depthwise ? info.inChannels : 1, false, false),
      offsetOf(backend, x), offsetOf(backend, dy), offsetOf(backend, dw), 0,
    ]);
    return dw;
  };
}

const config = (kernelName: string, kernelFunc: unknown): KernelConfig => ({ kernelName, backendName: 'onednn', kernelFunc: kernelFunc as KernelFunc });

export const convKernels: KernelConfig[] = [
  config('Conv2D', conv2D),
  config('FusedConv2D', fused('FusedConv2D', false)),
  config('Conv2DBackpropInput', backpropInput('Conv2DBackpropInput', false)),
  config('Conv2DBackpropFilter', backpropFilter('Conv2DBackpropFilter', false)),
  config('DepthwiseConv2dNative', depthwiseConv2dNative),
  config('FusedDepthwiseConv2D', fused('FusedDepthwiseConv2D', true)),
  config('DepthwiseConv2dNativeBackpropInput', backpropInput('DepthwiseConv2dNativeBackpropInput', true)),
  config('DepthwiseConv2dNativeBackpropFilter', backpropFilter('DepthwiseConv2dNativeBackpropFilter', true)),
];
