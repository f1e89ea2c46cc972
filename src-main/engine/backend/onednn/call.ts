/**
 * How a kernel hands tensors to the addon: the wasm heap (HEAPU8) plus one Float64Array of shapes,
 * attributes and the byte offsets of the tensors in the heap. Nothing is copied; oneDNN reads and
 * writes where tfjs keeps the data.
 *
 * Allocate every output (backend.makeOutput) before calling: an allocation may grow the wasm
 * memory, and the heap view must be taken after the last one (run() reads it at call time).
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { tf } from '../../tf';

/** Reused for every call: the addon reads it synchronously. */
const ARGS = new Float64Array(64);

interface WasmModuleHeap {
  HEAPU8: Uint8Array;
}

export function offsetOf(backend: BackendWasm, t: TensorInfo): number {
  return backend.getMemoryOffset(t.dataId) as number;
}

/** Calls an addon kernel with the argument block `values`. */
export function run(backend: BackendWasm, kernel: (heap: Uint8Array, args: Float64Array) => void, values: number[]): void {
  if (values.length > ARGS.length) throw new Error(`oneDNN call with ${values.length} arguments (at most ${ARGS.length}).`);
  ARGS.set(values);
  kernel((backend.wasm as unknown as WasmModuleHeap).HEAPU8, ARGS);
}

export function allFloat32(...tensors: (TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || t.dtype === 'float32');
}

/**
 * The same-named kernel of the 'wasm' backend (tfjs's or the workbench's training kernel): what an
 * onednn kernel runs for cases oneDNN is not asked to handle (other dtypes, other activations).
 */
export function wasmKernel(name: string): KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`No wasm kernel ${name} to fall back to.`);
  return config.kernelFunc;
}

export function fallback(name: string, args: { inputs: object; backend: BackendWasm; attrs?: object }): TensorInfo | TensorInfo[] {
  return wasmKernel(name)({ inputs: args.inputs, backend: args.backend, attrs: args.attrs as NamedAttrMap } as Parameters<KernelFunc>[0]);
}

export function assertNhwc(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`oneDNN kernel ${kernel} supports NHWC only (the engine's layout), got ${dataFormat}.`);
  }
}
