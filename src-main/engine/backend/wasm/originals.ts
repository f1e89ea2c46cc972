/**
 * The backend's own kernels that ours replace. Some of our kernels handle the common training
 * shapes and delegate the rest (other dtypes, unusual layouts) to the original.
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

const originals = new Map<string, KernelConfig>();

export function rememberOriginal(config: KernelConfig): void {
  originals.set(config.kernelName, config);
}

export function forgetOriginal(kernelName: string): KernelConfig | undefined {
  const config = originals.get(kernelName);
  originals.delete(kernelName);
  return config;
}

/** The replaced backend kernel; throws if none was recorded (a registration bug, not user input). */
export function originalKernel(kernelName: string): KernelFunc {
  const config = originals.get(kernelName);
  if (!config) throw new Error(`No original wasm kernel recorded for ${kernelName}.`);
  return config.kernelFunc;
}
