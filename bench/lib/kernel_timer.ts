/**
 * Per-kernel timing for a backend whose kernels run synchronously (wasm, cpu): every registered
 * kernelFunc is wrapped to record its total time and its self time (minus the kernels it runs
 * inside itself — our training kernels are built from nested ops). tf.profile reports nested
 * kernels too but cannot tell them apart, which double-counts.
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

import { tf } from '../../src-main/engine/tf';

export interface KernelStat {
  name: string;
  calls: number;
  selfMs: number;
  totalMs: number;
}

export interface KernelTimer {
  reset(): void;
  stats(): KernelStat[];
  uninstall(): void;
}

/**
 * byParent: key nested kernels as `Parent>Child` (e.g. the Conv2D a Conv2DBackpropFilter runs),
 * to see where inside our composite kernels the time goes.
 */
export function installKernelTimer(backend: string, byParent = false): KernelTimer {
  const stats = new Map<string, KernelStat>();
  const childMs: number[] = [];
  const names: string[] = [];
  const originals: KernelConfig[] = [];
  for (const config of tf.getKernelsForBackend(backend)) {
    originals.push(config);
    const inner = config.kernelFunc;
    const wrapped: KernelFunc = (args) => {
      const parent = names[names.length - 1];
      const key = byParent && parent ? `${parent}>${config.kernelName}` : config.kernelName;
      childMs.push(0);
      names.push(config.kernelName);
      const t0 = performance.now();
      let out: ReturnType<KernelFunc>;
      try {
        out = inner(args);
      } finally {
        names.pop();
      }
      const elapsed = performance.now() - t0;
      const children = childMs.pop()!;
      if (childMs.length > 0) childMs[childMs.length - 1]! += elapsed;
      const s = stats.get(key) ?? { name: key, calls: 0, selfMs: 0, totalMs: 0 };
      s.calls += 1;
      s.selfMs += elapsed - children;
      s.totalMs += elapsed;
      stats.set(key, s);
      return out;
    };
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({ ...config, kernelFunc: wrapped });
  }
  return {
    reset: () => stats.clear(),
    stats: () => [...stats.values()].sort((a, b) => b.selfMs - a.selfMs),
    uninstall: () => {
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, backend);
        tf.registerKernel(config);
      }
    },
  };
}
