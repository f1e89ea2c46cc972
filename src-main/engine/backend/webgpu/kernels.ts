/**
 * The workbench's fused batch norm (models/batch_norm.ts) as WGSL kernels for tfjs's WebGPU backend.
 *
 * The composite path runs ~10 elementwise and reduction dispatches each way, and tfjs's reductions
 * over the N·H·W axes first transpose the whole activation to put the channel outermost. Here each
 * direction is one per-channel reduction over the [rows, channels] view of x (one workgroup per
 * channel, no transpose) and one elementwise pass, plus two tiny copies splitting the [2, c] sums
 * into the two [c] outputs: x is read twice and y written once, instead of ~9 full passes.
 *
 *   forward   stats[0] = mean, stats[1] = biased variance (one pass, shifted by the channel's
 *             first value: mean = k + Σ(x−k)/N, var = Σ(x−k)²/N − (Σ(x−k)/N)²)
 *             y = (x − mean) · γ / √(var + ε) + β
 *   backward  sums[0] = dγ = Σ dy·x̂, sums[1] = dβ = Σ dy
 *             dx = γ / √(var + ε) · (dy − dβ/N − x̂·dγ/N)
 *
 * Same kernel contract as the WASM kernels (see models/batch_norm.ts); kernels.test.ts compares
 * both directions with the composite path on cpu.
 */
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { FFR_BATCH_NORM_TRAINING, FFR_BATCH_NORM_TRAINING_GRAD } from '../../models/batch_norm';
import { tf } from '../../tf';
import { WEBGPU_BACKEND } from './backend';

type Uniform = { type: 'int32' | 'float32'; data: number[] };

/** Threads per channel in the reductions (a power of two; every WebGPU device allows 256). */
const REDUCE_THREADS = 256;
const ELEMENTWISE_THREADS = 64;

/**
 * Shared reduction helper: the sums of v over the workgroup, returned to every thread. Each
 * kernel calls it once, with both of its sums in one vec2 (one tree, one set of barriers).
 */
const WORKGROUP_SUM = `
  var<workgroup> partial : array<vec2<f32>, ${REDUCE_THREADS}>;
  fn workgroupSum(v : vec2<f32>) -> vec2<f32> {
    partial[localId.x] = v;
    workgroupBarrier();
    for (var s = ${REDUCE_THREADS / 2}u; s > 0u; s = s >> 1u) {
      if (localId.x < s) {
        partial[localId.x] = partial[localId.x] + partial[localId.x + s];
      }
      workgroupBarrier();
    }
    return partial[0];
  }
`;

/** One workgroup per channel; output [2, channels]. Uniforms: rows, channels (+ epsilon). */
abstract class ChannelSumsProgram implements WebGPUProgram {
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [REDUCE_THREADS, 1, 1];
  abstract variableNames: string[];
  abstract shaderKey: string;
  uniforms = 'rows : i32, channels : i32, epsilon : f32,';

  constructor(channels: number) {
    this.outputShape = [2, channels];
    this.dispatchLayout = { x: [0, 1] };
    this.dispatch = [channels, 1, 1];
  }

  abstract getUserCode(): string;
}

class BatchStatsProgram extends ChannelSumsProgram {
  variableNames = ['x'];
  shaderKey = 'ffrBatchNormStats';
  getUserCode(): string {
    return `
      ${WORKGROUP_SUM}
      fn main(index : i32) {
        let c = index / ${REDUCE_THREADS};
        let n = uniforms.rows;
        // One pass, shifted by the channel's first value so that the sums stay small where the
        // values are large and close together (the cancellation of E[x²] − E[x]² is then harmless).
        let k = x[c];
        var sums = vec2<f32>(0.0, 0.0);
        for (var m = i32(localId.x); m < n; m = m + ${REDUCE_THREADS}) {
          let d = x[m * uniforms.channels + c] - k;
          sums = sums + vec2<f32>(d, d * d);
        }
        let total = workgroupSum(sums) / f32(n);
        if (localId.x == 0u && c < uniforms.channels) {
          setOutputAtIndex(c, k + total.x);
          setOutputAtIndex(uniforms.channels + c, max(total.y - total.x * total.x, 0.0));
        }
      }
    `;
  }
}

class GradSumsProgram extends ChannelSumsProgram {
  variableNames = ['dy', 'x', 'mean', 'variance'];
  shaderKey = 'ffrBatchNormGradSums';
  getUserCode(): string {
    return `
      ${WORKGROUP_SUM}
      fn main(index : i32) {
        let c = index / ${REDUCE_THREADS};
        let n = uniforms.rows;
        let mu = mean[c];
        let rstd = 1.0 / sqrt(variance[c] + uniforms.epsilon);
        var sums = vec2<f32>(0.0, 0.0);
        for (var m = i32(localId.x); m < n; m = m + ${REDUCE_THREADS}) {
          let i = m * uniforms.channels + c;
          sums = sums + vec2<f32>(dy[i] * (x[i] - mu) * rstd, dy[i]);
        }
        let total = workgroupSum(sums);
        if (localId.x == 0u && c < uniforms.channels) {
          setOutputAtIndex(c, total.x);
          setOutputAtIndex(uniforms.channels + c, total.y);
        }
      }
    `;
  }
}

/** Elementwise over x's shape (channels innermost). Uniforms: rows, channels, epsilon. */
abstract class ElementwiseProgram implements WebGPUProgram {
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [ELEMENTWISE_THREADS, 1, 1];
  size = true;
  uniforms = 'rows : i32, channels : i32, epsilon : f32,';
  abstract variableNames: string[];
  abstract shaderKey: string;

  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / ELEMENTWISE_THREADS), 1, 1];
  }

  abstract getUserCode(): string;
}

class NormalizeProgram extends ElementwiseProgram {
  variableNames = ['x', 'stats', 'gamma', 'beta'];
  shaderKey = 'ffrBatchNormNormalize';
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let c = index % uniforms.channels;
          let scale = gamma[c] / sqrt(stats[uniforms.channels + c] + uniforms.epsilon);
          setOutputAtIndex(index, (x[index] - stats[c]) * scale + beta[c]);
        }
      }
    `;
  }
}

class GradInputProgram extends ElementwiseProgram {
  variableNames = ['dy', 'x', 'gamma', 'mean', 'variance', 'sums'];
  shaderKey = 'ffrBatchNormGradInput';
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let c = index % uniforms.channels;
          let rstd = 1.0 / sqrt(variance[c] + uniforms.epsilon);
          let xhat = (x[index] - mean[c]) * rstd;
          let n = f32(uniforms.rows);
          let inner = dy[index] - sums[uniforms.channels + c] / n - xhat * sums[c] / n;
          setOutputAtIndex(index, gamma[c] * rstd * inner);
        }
      }
    `;
  }
}

/** Row `row` of a [2, c] tensor as a [c] tensor. */
class RowProgram extends ElementwiseProgram {
  variableNames = ['sums'];
  shaderKey = 'ffrBatchNormRow';
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, sums[uniforms.rows * uniforms.channels + index]);
        }
      }
    `;
  }
}

function uniforms(rows: number, channels: number, epsilon: number): Uniform[] {
  return [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [channels] },
    { type: 'float32', data: [epsilon] },
  ];
}

/** Splits [2, c] sums into two [c] tensors and frees the sums. */
function splitRows(backend: WebGPUBackend, sums: TensorInfo, channels: number): [TensorInfo, TensorInfo] {
  const rows = [0, 1].map((r) => backend.runWebGPUProgram(new RowProgram([channels]), [sums], 'float32', uniforms(r, channels, 0))) as [TensorInfo, TensorInfo];
  backend.disposeData(sums.dataId);
  return rows;
}

function shapeOf(x: TensorInfo): { rows: number; channels: number } {
  const channels = x.shape[x.shape.length - 1]!;
  return { rows: x.shape.reduce((a, b) => a * b, 1) / channels, channels };
}

function batchNormTraining(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const epsilon = args.attrs!.epsilon as number;
  const { rows, channels } = shapeOf(x);
  const u = uniforms(rows, channels, epsilon);
  const stats = backend.runWebGPUProgram(new BatchStatsProgram(channels), [x], 'float32', u);
  const y = backend.runWebGPUProgram(new NormalizeProgram(x.shape), [x, stats, gamma, beta], 'float32', u);
  const [mean, variance] = splitRows(backend, stats, channels);
  return [y, mean, variance];
}

function batchNormTrainingGrad(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const { dy, x, gamma, mean, variance } = args.inputs as Record<'dy' | 'x' | 'gamma' | 'mean' | 'variance', TensorInfo>;
  const epsilon = args.attrs!.epsilon as number;
  const { rows, channels } = shapeOf(x);
  const u = uniforms(rows, channels, epsilon);
  const sums = backend.runWebGPUProgram(new GradSumsProgram(channels), [dy, x, mean, variance], 'float32', u);
  const dx = backend.runWebGPUProgram(new GradInputProgram(x.shape), [dy, x, gamma, mean, variance, sums], 'float32', u);
  const [dgamma, dbeta] = splitRows(backend, sums, channels);
  return [dx, dgamma, dbeta];
}

const kernels: KernelConfig[] = [
  { kernelName: FFR_BATCH_NORM_TRAINING, backendName: WEBGPU_BACKEND, kernelFunc: batchNormTraining as KernelConfig['kernelFunc'] },
  { kernelName: FFR_BATCH_NORM_TRAINING_GRAD, backendName: WEBGPU_BACKEND, kernelFunc: batchNormTrainingGrad as KernelConfig['kernelFunc'] },
];

/** Registers the kernels once (registering twice is an error in tfjs). */
export function registerWebgpuTrainingKernels(): void {
  for (const k of kernels) if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
}

/** For tests: the composite path on webgpu, to compare with the kernels. */
export function unregisterWebgpuTrainingKernels(): void {
  for (const k of kernels) if (tf.getKernel(k.kernelName, k.backendName)) tf.unregisterKernel(k.kernelName, k.backendName);
}

