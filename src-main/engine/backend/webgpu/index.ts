/**
 * The 'webgpu' backend: tfjs-backend-webgpu on a Dawn adapter (Metal, Vulkan, D3D12 — GPU training
 * without CUDA). probeWebgpu() says what is here without creating a device; activateWebgpu()
 * registers the backend on the preferred adapter (the first hardware one, else a software one:
 * `auto` skips software adapters, an explicit `--backend webgpu` takes them — tests do).
 */
import type { GpuAdapterSummary } from '../../../shared/gpu-adapters';
import { describeAdapter } from '../../../shared/gpu-adapters';
import { discoverAdapters, preferredAdapter, type Discovery } from './dawn';
import { registerWebgpuBackend, WEBGPU_BACKEND } from './backend';
import { registerWebgpuTrainingKernels } from './kernels';

export interface WebgpuProbe {
  available: boolean;
  /** The adapter training would use. */
  adapter?: GpuAdapterSummary;
  /** Every adapter Dawn offered, best API first. */
  adapters: GpuAdapterSummary[];
  detail?: string;
  reason?: string;
}

let discovery: Promise<Discovery> | undefined;

function discover(): Promise<Discovery> {
  discovery ??= discoverAdapters();
  return discovery;
}

export async function probeWebgpu(): Promise<WebgpuProbe> {
  const d = await discover();
  const adapters = d.found.map((f) => f.summary);
  const chosen = preferredAdapter(d.found);
  if (!chosen) {
    const why = d.loadError ?? `Dawn found no adapter (${d.misses.join('; ') || 'nothing to try on this platform'})`;
    return { available: false, adapters, reason: `${why}; see docs/gpu.md for the drivers each OS needs` };
  }
  const softwareNote = chosen.summary.software
    ? `; a software rasterizer: \`auto\` skips it, --backend webgpu uses it${d.misses.length ? ` (no hardware adapter: ${d.misses.join('; ')})` : ''}`
    : '';
  return {
    available: true,
    adapter: chosen.summary,
    adapters,
    detail: `@tensorflow/tfjs-backend-webgpu on ${describeAdapter(chosen.summary)}${softwareNote}`,
  };
}

/** Registers the backend on the preferred adapter (idempotent); the caller then sets it. */
export async function activateWebgpu(): Promise<GpuAdapterSummary> {
  const d = await discover();
  const chosen = preferredAdapter(d.found);
  if (!chosen) throw new Error((await probeWebgpu()).reason);
  await registerWebgpuBackend(chosen);
  return chosen.summary;
}

/** After tf.setBackend('webgpu'): the workbench's own kernels (fused batch norm). */
export function onWebgpuReady(): void {
  registerWebgpuTrainingKernels();
}

export { WEBGPU_BACKEND };
export { webgpuAdapterInUse, webgpuDeviceError } from './backend';
export { batchDoesNotFit } from './memory';
export type { GpuAdapterSummary, GpuLimits } from '../../../shared/gpu-adapters';
