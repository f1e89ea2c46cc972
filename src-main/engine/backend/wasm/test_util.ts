/**
 * Helpers for the kernel tests: the same seeded inputs are run on tfjs's reference 'cpu' backend and
 * on 'wasm' (with our training kernels), and the results compared.
 */
import '@tensorflow/tfjs-backend-wasm';
import type { Tensor } from '@tensorflow/tfjs';
import { expect } from 'vitest';

import { tf } from '../../tf';
import { registerWasmTrainingKernels } from './index';

export interface Result {
  shape: number[];
  values: Float32Array;
}

/** The backend under test: 'wasm', or 'onednn' for the oneDNN kernel tests (backend/onednn). */
export type BackendUnderTest = 'wasm' | 'onednn';
let underTest: BackendUnderTest = 'wasm';

/** Makes runOn return to, and compareBackends compare, `backend` (the onednn tests set 'onednn'). */
export function setBackendUnderTest(backend: BackendUnderTest): void {
  underTest = backend;
}

/** Initialises the wasm backend once per test file and registers our kernels. */
export async function initWasm(): Promise<void> {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
}

/** Deterministic values in [-1, 1) (a 32-bit LCG), so both backends see identical inputs. */
export function seeded(shape: number[], seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs fn on the named backend and reads its outputs back. Leaves the backend under test active afterwards. */
export async function runOn(backend: 'cpu' | BackendUnderTest, fn: () => Tensor | Tensor[]): Promise<Result[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const results = list.map((t) => ({ shape: t.shape.slice(), values: t.dataSync() as Float32Array }));
  tf.dispose(list);
  await tf.setBackend(underTest);
  return results;
}

/** Max absolute difference relative to the largest reference magnitude (robust near zeros). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

export function expectClose(actual: Result, expected: Result, tolerance = 1e-4): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(Number.isFinite(actual.values.reduce((a, b) => a + b, 0))).toBe(true);
  expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(tolerance);
}

/** Runs fn on cpu and on the backend under test and checks every output agrees. */
export async function compareBackends(fn: () => Tensor | Tensor[], tolerance = 1e-4): Promise<void> {
  const expected = await runOn('cpu', fn);
  const actual = await runOn(underTest, fn);
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expectClose(a, expected[i]!, tolerance));
}

/**
 * Calls fn repeatedly on the active backend and checks the live tensor count does not grow. fn must only call the
 * kernel (inputs created outside): no tidy here, which would hide a kernel's leaked intermediates.
 */
export function expectNoLeak(fn: () => Tensor | Tensor[]): void {
  const once = (): void => {
    const out = fn();
    tf.dispose(out);
  };
  once();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) once();
  expect(tf.memory().numTensors).toBe(before);
}
