/**
 * Dawn for Node (the registry package `webgpu`: prebuilt dawn.node for Linux, macOS and Windows):
 * loading it and finding the adapters it offers on this machine.
 *
 * Dawn is asked backend by backend rather than once with its defaults, so every adapter found is
 * labelled with the API that serves it, and so that the OpenGL ES path can be asked in
 * compatibility mode (Dawn serves OpenGL ES / D3D11 only at that feature level). Order per OS:
 * macOS Metal; Windows D3D12, Vulkan, D3D11; Linux Vulkan, then OpenGL ES. On a Linux machine
 * without a GPU the last one is Mesa's llvmpipe (software): headless it needs EGL_PLATFORM=surfaceless,
 * which prepareEglEnvironment sets when no display is configured (Mesa reads it when Dawn first
 * opens EGL, so it must be set before the first adapter request).
 */
import { isSoftwareAdapter, type DawnBackend, type GpuAdapterSummary } from '../../../shared/gpu-adapters';

export interface DawnCandidate {
  backend: DawnBackend;
  featureLevel: 'core' | 'compatibility';
}

export function dawnCandidates(platform: NodeJS.Platform = process.platform): DawnCandidate[] {
  if (platform === 'darwin') return [{ backend: 'metal', featureLevel: 'core' }];
  if (platform === 'win32') {
    return [
      { backend: 'd3d12', featureLevel: 'core' },
      { backend: 'vulkan', featureLevel: 'core' },
      { backend: 'd3d11', featureLevel: 'compatibility' },
    ];
  }
  return [
    { backend: 'vulkan', featureLevel: 'core' },
    { backend: 'opengles', featureLevel: 'compatibility' },
  ];
}

/**
 * Headless Linux: without a display server Mesa's EGL finds no platform unless told to render
 * surfaceless (offscreen), which is all compute needs. Leaves a user's own setting and desktops
 * (DISPLAY / WAYLAND_DISPLAY) alone. Returns whether it set the variable.
 */
export function prepareEglEnvironment(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux' || env.EGL_PLATFORM || env.DISPLAY || env.WAYLAND_DISPLAY) return false;
  env.EGL_PLATFORM = 'surfaceless';
  return true;
}

export interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

export interface FoundAdapter {
  summary: GpuAdapterSummary;
  adapter: GPUAdapter;
  /** The Dawn instance that owns the adapter: keep it referenced while the adapter is in use. */
  gpu: GPU;
}

export interface Discovery {
  /** Every adapter found, in the order tried (best API first). */
  found: FoundAdapter[];
  /** Per candidate that gave nothing: "vulkan: no adapter". */
  misses: string[];
  /** Set when dawn.node itself could not be loaded. */
  loadError?: string;
}

let dawn: Promise<DawnModule> | undefined;

export function loadDawn(): Promise<DawnModule> {
  prepareEglEnvironment();
  dawn ??= import('webgpu').then((m) => ({ create: m.create, globals: m.globals as Record<string, unknown> }));
  return dawn;
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? message;
}

function summarize(adapter: GPUAdapter, c: DawnCandidate): GpuAdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
  return {
    dawnBackend: c.backend,
    featureLevel: c.featureLevel,
    ...text,
    software: isSoftwareAdapter({ ...text, isFallbackAdapter: info.isFallbackAdapter === true }, c.backend),
    limits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
  };
}

/** Asks Dawn for one adapter per candidate API. Never throws: what fails is reported. */
export async function discoverAdapters(candidates: DawnCandidate[] = dawnCandidates()): Promise<Discovery> {
  let mod: DawnModule;
  try {
    mod = await loadDawn();
  } catch (e) {
    return { found: [], misses: [], loadError: `the package "webgpu" (Dawn for Node) did not load: ${firstLine(e)}` };
  }
  const found: FoundAdapter[] = [];
  const misses: string[] = [];
  for (const c of candidates) {
    try {
      const gpu = mod.create([`backend=${c.backend}`]);
      // featureLevel is newer than the WebGPU typings the package ships.
      const options = { powerPreference: 'high-performance', ...(c.featureLevel === 'compatibility' ? { featureLevel: 'compatibility' } : {}) } as GPURequestAdapterOptions;
      const adapter = await gpu.requestAdapter(options);
      if (adapter) found.push({ summary: summarize(adapter, c), adapter, gpu });
      else misses.push(`${c.backend}: no adapter`);
    } catch (e) {
      misses.push(`${c.backend}: ${firstLine(e)}`);
    }
  }
  return { found, misses };
}

/** The adapter to train on: the first hardware one, else the first software one. */
export function preferredAdapter(found: FoundAdapter[]): FoundAdapter | undefined {
  return found.find((f) => !f.summary.software) ?? found[0];
}

