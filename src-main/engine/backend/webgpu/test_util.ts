/**
 * Helpers for the WebGPU tests: the same seeded inputs run on tfjs's reference 'cpu' backend and on
 * 'webgpu' (Dawn, whatever adapter this machine has: on the CI machines Mesa's llvmpipe through
 * OpenGL ES), the results read back asynchronously and compared.
 *
 * Tests skip, saying why, only when Dawn finds no adapter at all (.ci/run installs Mesa, so CI has one).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { expect } from 'vitest';

import { tf } from '../../tf';
import { selectBackend } from '../select';
import { relativeError } from '../wasm/test_util';
import { probeWebgpu } from './index';

export { relativeError, seeded } from '../wasm/test_util';

export interface Result {
  shape: number[];
  values: Float32Array;
}

/** Why the webgpu tests cannot run here, or null when an adapter exists. */
export async function webgpuSkipReason(): Promise<string | null> {
  const probe = await probeWebgpu();
  return probe.available ? null : `no WebGPU adapter on this machine: ${probe.reason}`;
}

/** Selects 'webgpu' the way a trainer does (registration, our kernels). */
export async function initWebgpu(): Promise<void> {
  expect(await selectBackend('webgpu')).toBe('webgpu');
}

/** Runs fn on the named backend and reads its outputs back (asynchronously). Leaves 'webgpu' active. */
export async function runOn(backend: 'cpu' | 'webgpu', fn: () => Tensor | Tensor[]): Promise<Result[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const results: Result[] = [];
  for (const t of list) results.push({ shape: t.shape.slice(), values: (await t.data()) as Float32Array });
  tf.dispose(list);
  await tf.setBackend('webgpu');
  return results;
}

/** Runs fn on cpu and on webgpu and checks every output agrees. */
export async function compareWithCpu(fn: () => Tensor | Tensor[], tolerance = 1e-4): Promise<void> {
  const expected = await runOn('cpu', fn);
  const actual = await runOn('webgpu', fn);
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(a.shape).toEqual(expected[i]!.shape);
    expect(relativeError(a.values, expected[i]!.values)).toBeLessThanOrEqual(tolerance);
  });
}
