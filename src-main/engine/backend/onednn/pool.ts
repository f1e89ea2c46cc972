/**
 * Pooling kernels on oneDNN: MaxPool, AvgPool (averaging over the in-bounds taps only, as tfjs) and
 * their gradients MaxPoolGrad, AvgPoolGrad (unpadded windows; see poolGrad). Geometry from tfjs's
 * computePool2DInfo.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';
import { loadOnednnAddon } from './addon';
import { allFloat32, fallback, offsetOf, run } from './call';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

const MAX = 0;
const AVG = 1;

interface Args<I> {
  inputs: I;
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}

/** The shape block of native/onednn/src/pooling.cc (enum Shape). */
function shapeBlock(xShape: number[], attrs: Record<string, unknown>, algorithm: number): number[] {
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, algorithm,
  ];
}

/** Whether the window ever reaches outside the input (the pads that make the output size exact). */
function padded(shape: number[]): boolean {
  const [, ih, iw, , oh, ow, kh, kw, sh, sw, pt, pl] = shape as [number, number, number, number, number, number, number, number, number, number, number, number];
  return pt > 0 || pl > 0 || (oh - 1) * sh + kh > ih || (ow - 1) * sw + kw > iw;
}

function pool(name: string, algorithm: number) {
  return (args: Args<{ x: TensorInfo }>): TensorInfo => {
    const { x } = args.inputs;
    const { backend } = args;
    if (!allFloat32(x)) return fallback(name, args) as TensorInfo;
    const shape = shapeBlock(x.shape, args.attrs, algorithm);
    const out = backend.makeOutput([shape[0]!, shape[4]!, shape[5]!, shape[3]!], 'float32');
    run(backend, loadOnednnAddon().addon!.poolForward, [...shape, offsetOf(backend, x), offsetOf(backend, out)]);
    return out;
  };
}

function poolGrad(name: string, algorithm: number) {
  return (args: Args<{ dy: TensorInfo; input: TensorInfo }>): TensorInfo => {
    const { dy, input } = args.inputs;
    const { backend } = args;
    if (!allFloat32(dy, input)) return fallback(name, args) as TensorInfo;
    const shape = shapeBlock(input.shape, args.attrs, algorithm);
    // tfjs's AvgPoolGrad divides by the whole window even where the forward averaged over fewer
    // (padded) taps; the other backends agree on that, so padded average pools keep their kernel.
    if (algorithm === AVG && padded(shape)) return fallback(name, args) as TensorInfo;
    const dx = backend.makeOutput(input.shape, 'float32');
    run(backend, loadOnednnAddon().addon!.poolBackward, [...shape, offsetOf(backend, dy), offsetOf(backend, input), offsetOf(backend, dx)]);
    return dx;
  };
}

const config = (kernelName: string, kernelFunc: unknown): KernelConfig => ({ kernelName, backendName: 'onednn', kernelFunc: kernelFunc as KernelFunc });

export const poolKernels: KernelConfig[] = [
  config('MaxPool', pool('MaxPool', MAX)),
  config('AvgPool', pool('AvgPool', AVG)),
  config('MaxPoolGrad', poolGrad('MaxPoolGrad', MAX)),
  config('AvgPoolGrad', poolGrad('AvgPoolGrad', AVG)),
];
