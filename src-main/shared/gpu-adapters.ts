/**
 * What the workbench reports about a WebGPU adapter, and whether it is a software rasterizer. Pure:
 * no Dawn here, so the host, the CLI and the tests can use it without loading a GPU driver.
 */

/** Dawn's backends, as `create(['backend=…'])` names them. */
export type DawnBackend = 'vulkan' | 'metal' | 'd3d12' | 'd3d11' | 'opengl' | 'opengles' | 'null';

export interface GpuLimits {
  /** Largest single GPU buffer, bytes. */
  maxBufferSize: number;
  /** Largest buffer one shader can bind, bytes: the bound on any one tensor a kernel reads or writes. */
  maxStorageBufferBindingSize: number;
}

export interface GpuAdapterSummary {
  dawnBackend: DawnBackend;
  /** 'compatibility' for the OpenGL ES / D3D11 paths Dawn only serves in compatibility mode. */
  featureLevel: 'core' | 'compatibility';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU rasterizer (llvmpipe, lavapipe, SwiftShader, WARP, a fallback adapter): correct, not fast. */
  software: boolean;
  limits: GpuLimits;
}

/** Adapter names of the CPU implementations of Vulkan, OpenGL and D3D that drivers ship. */
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(a: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean }, backend: DawnBackend): boolean {
  if (a.isFallbackAdapter || backend === 'null') return true;
  return SOFTWARE_NAMES.test([a.vendor, a.architecture, a.device, a.description].join(' '));
}

/** One line for `ffr info` and logs: "vulkan · NVIDIA GeForce RTX 4070 (hardware)". */
export function describeAdapter(a: Pick<GpuAdapterSummary, 'vendor' | 'device' | 'description' | 'featureLevel' | 'software'> & { dawnBackend: string }): string {
  const name = [a.vendor, a.device || a.description].filter((s) => s.trim() !== '').join(' ');
  const mode = a.featureLevel === 'compatibility' ? ', compatibility mode' : '';
  return `Dawn ${a.dawnBackend} · ${name || 'unnamed adapter'} (${a.software ? 'software' : 'hardware'}${mode})`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 1)} GiB`;
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
