/**
 * The workbench's fused training batch norm (models/batch_norm.ts: FfrBatchNormTraining and
 * FfrBatchNormTrainingGrad, same contract as the wasm kernels) on oneDNN's batch normalization
 * primitive: batch statistics, biased variance, scale γ and shift β; [n, h, w, c] data as NHWC,
 * any other [..., c] as [rows, 1, 1, c].
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { FFR_BATCH_NORM_TRAINING, FFR_BATCH_NORM_TRAINING_GRAD } from '../../models/batch_norm';
import { channelCount } from '../wasm/batch_norm_util';
import { loadOnednnAddon } from './addon';
import { offsetOf, run } from './call';

/** [n, h, w, c] of native/onednn/src/batch_norm.cc's shape block. */
function nhwc(x: TensorInfo, c: number): [number, number, number, number] {
  if (x.shape.length === 4) return x.shape as [number, number, number, number];
  return [x.shape.reduce((a, b) => a * b, 1) / c, 1, 1, c];
}

function training({ inputs, attrs, backend }: { inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo }; attrs: { epsilon: number }; backend: BackendWasm }): TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const c = channelCount(FFR_BATCH_NORM_TRAINING, x, [gamma, beta]);
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([c], 'float32');
  const variance = backend.makeOutput([c], 'float32');
  run(backend, loadOnednnAddon().addon!.batchNormForward, [
    ...nhwc(x, c), attrs.epsilon,
    offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, beta), offsetOf(backend, y), offsetOf(backend, mean), offsetOf(backend, variance),
  ]);
  return [y, mean, variance];
}

function trainingGrad({
  inputs,
  attrs,
  backend,
}: {
  inputs: { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; variance: TensorInfo };
  attrs: { epsilon: number };
  backend: BackendWasm;
}): TensorInfo[] {
  const { dy, x, gamma, mean, variance } = inputs;
  const c = channelCount(FFR_BATCH_NORM_TRAINING_GRAD, x, [gamma, mean, variance], dy);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  run(backend, loadOnednnAddon().addon!.batchNormBackward, [
    ...nhwc(x, c), attrs.epsilon,
    offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, mean), offsetOf(backend, variance),
    offsetOf(backend, dx), offsetOf(backend, dgamma), offsetOf(backend, dbeta),
  ]);
  return [dx, dgamma, dbeta];
}

export const batchNormKernels: KernelConfig[] = [
  { kernelName: FFR_BATCH_NORM_TRAINING, backendName: 'onednn', kernelFunc: training as unknown as KernelFunc },
  { kernelName: FFR_BATCH_NORM_TRAINING_GRAD, backendName: 'onednn', kernelFunc: trainingGrad as unknown as KernelFunc },
];
