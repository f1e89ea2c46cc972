/**
 * Backend selection. `auto` tries, in order: tensorflow (tfjs-node-gpu, then tfjs-node: native
 * TensorFlow; CUDA through tfjs-node-gpu), webgpu on a hardware adapter (Dawn: Metal, Vulkan,
 * D3D12 — see webgpu/), onednn (the wasm backend with its hot training kernels on oneDNN through
 * the native/onednn addon, see onednn/index.ts), wasm (XNNPACK + the workbench's training
 * kernels), cpu (pure JavaScript: fine for an MLP, far too slow for CNNs). Every backend that cannot be used reports why, so
 * `ffr info` and the settings view can tell the user what to install. A software WebGPU adapter
 * (llvmpipe, SwiftShader …) is listed as available but `auto` passes it by; `--backend webgpu`
 * uses it.
 *
 * All of them register on the one tfjs engine imported from ../tf (tfjs-node registers its
 * 'tensorflow' backend on the same @tensorflow/tfjs package instance).
 *
 * wasm threads: tfjs's threaded SIMD build with min(2, cores) pool threads (measured 1.2–1.5× the
 * single-threaded build on 2 cores, see wasm/threaded.ts); FFR_WASM_THREADS=N overrides, and 1 means
 * the single-threaded build (the tests use it: ~1 s less start-up per trainer). If the threaded build
 * does not start, training goes on single-threaded and wasmThreadsInUse() says so. onednn runs its
 * oneDNN kernels on that many threads (wasmThreadsWanted) and the rest on the single-threaded wasm
 * build (onednnThreadsInUse()).
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import type { BackendChoice, BackendName } from '../../shared/run-config';
import { tf } from '../tf';
import { usableByAuto } from '../../shared/backends';
import { cudaLibraryFailures } from '../../shared/cuda-libraries';
import type { GpuAdapterSummary } from '../../shared/gpu-adapters';

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Which package provides it, when available. */
  detail?: string;
  /** Why it cannot be used, when unavailable. */
  reason?: string;
  /** webgpu: the adapter training would use, and whether it is a software rasterizer. */
  adapter?: GpuAdapterSummary;
  software?: boolean;
  /** webgpu: every adapter Dawn offered. */
  adapters?: GpuAdapterSummary[];
  /** tensorflow: the CUDA / cuDNN / TensorFlow shared libraries that failed to load. */
  missingLibraries?: string[];
}

const require = createRequire(import.meta.url);

/** The first line of an error, without stack noise: enough to tell a user what is missing. */
function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? message;
}

let tensorflowProbe: BackendStatus | undefined;

/**
 * Loads tfjs-node-gpu, then tfjs-node. Loading registers the 'tensorflow' backend; a failed load
 * (package absent, libtensorflow or CUDA libraries missing) is remembered with its reason.
 */
function probeTensorflow(): BackendStatus {
  if (tensorflowProbe) return tensorflowProbe;
  const reasons: string[] = [];
  const missing: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
    } catch {
      reasons.push(`${pkg} is not installed (its libtensorflow download failed or was skipped)`);
      continue;
    }
    try {
      require(pkg);
      tensorflowProbe = { name: 'tensorflow', available: true, detail: pkg };
      return tensorflowProbe;
    } catch (e) {
      reasons.push(`${pkg} did not load: ${firstLine(e)}`);
      missing.push(...cudaLibraryFailures(e instanceof Error ? e.message : String(e)));
    }
  }
  tensorflowProbe = { name: 'tensorflow', available: false, reason: reasons.join('; '), ...(missing.length ? { missingLibraries: [...new Set(missing)] } : {}) };
  return tensorflowProbe;
}

/** Pool threads wanted for the wasm backend: FFR_WASM_THREADS, else min(2, available cores). */
export function wasmThreadsWanted(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FFR_WASM_THREADS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 64) {
      throw new Error(`FFR_WASM_THREADS must be a whole number of threads from 1 to 64, got "${raw}".`);
    }
    return n;
  }
  return Math.min(2, os.availableParallelism());
}

let wasmThreads: { threads: number; fallbackReason?: string } | undefined;

/** Threads of the wasm backend once selected (1 = single-threaded build), and why fewer than wanted. */
export function wasmThreadsInUse(): { threads: number; fallbackReason?: string } | undefined {
  return wasmThreads;
}

/** Swaps in the threaded build before the wasm backend first initialises; falls back quietly. */
async function prepareWasmThreads(): Promise<void> {
  if (wasmThreads) return;
  const wanted = wasmThreadsWanted();
  if (wanted <= 1) {
    wasmThreads = { threads: 1 };
    return;
  }
  try {
    const { useThreadedWasm } = await import('./wasm/threaded');
    await useThreadedWasm(wanted);
    wasmThreads = { threads: wanted };
  } catch (e) {
    wasmThreads = { threads: 1, fallbackReason: `the threaded wasm build could not be used (${firstLine(e)})` };
  }
}

let wasmProbe: BackendStatus | undefined;

async function probeWasm(): Promise<BackendStatus> {
  if (wasmProbe) return wasmProbe;
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    wasmProbe = { name: 'wasm', available: true, detail: '@tensorflow/tfjs-backend-wasm (XNNPACK, SIMD)' };
  } catch (e) {
    wasmProbe = { name: 'wasm', available: false, reason: `@tensorflow/tfjs-backend-wasm did not load: ${firstLine(e)}` };
  }
  return wasmProbe;
}

let webgpuStatus: Promise<BackendStatus> | undefined;

/** Dawn's adapters (loads dawn.node, creates no device). */
function probeWebgpuBackend(): Promise<BackendStatus> {
  // An escape hatch for a GPU driver that misbehaves when merely asked for its adapters.
  if (process.env.FFR_WEBGPU === '0') {
    return Promise.resolve({ name: 'webgpu', available: false, reason: 'disabled by FFR_WEBGPU=0', adapters: [] });
  }
  webgpuStatus ??= import('./webgpu')
    .then(({ probeWebgpu }) => probeWebgpu())
    .then(
      (p): BackendStatus => ({
        name: 'webgpu',
        available: p.available,
        ...(p.detail ? { detail: p.detail } : {}),
        ...(p.reason ? { reason: p.reason } : {}),
        ...(p.adapter ? { adapter: p.adapter, software: p.adapter.software } : {}),
        adapters: p.adapters,
      }),
      (e: unknown): BackendStatus => ({ name: 'webgpu', available: false, reason: `the WebGPU backend did not load: ${firstLine(e)}`, adapters: [] }),
    );
  return webgpuStatus;
}

/** Registers the webgpu backend on its adapter before tf.setBackend('webgpu'). */
async function prepareWebgpu(): Promise<void> {
  const { activateWebgpu } = await import('./webgpu');
  await activateWebgpu();
}

let onednnProbe: BackendStatus | undefined;
let onednnThreads: number | undefined;

/** Threads oneDNN runs on once the onednn backend is selected. */
export function onednnThreadsInUse(): number | undefined {
  return onednnThreads;
}

/** The oneDNN addon loads (it runs over the wasm backend, so that must load too). */
async function probeOnednn(): Promise<BackendStatus> {
  if (onednnProbe) return onednnProbe;
  const wasm = await probeWasm();
  const { loadOnednnAddon } = await import('./onednn/addon');
  const { addon, reason } = loadOnednnAddon();
  if (!addon) onednnProbe = { name: 'onednn', available: false, reason };
  else if (!wasm.available) onednnProbe = { name: 'onednn', available: false, reason: `it runs over the wasm backend, which is unavailable (${wasm.reason})` };
  else {
    const i = addon.info();
    onednnProbe = { name: 'onednn', available: true, detail: `native/onednn addon: oneDNN ${i.version} (${i.runtime}, ${i.isa}) kernels over wasm` };
  }
  return onednnProbe;
}

/**
 * Starts the wasm backend, then puts the oneDNN kernels over it under the name 'onednn'. The
 * threads go to oneDNN; the wasm part stays on the single-threaded build: measured on 2 cores
 * (ResNet-20, batch 64), the threaded build's pool under oneDNN made steps slower, not faster, and
 * it costs ~1 s of start-up.
 */
async function startOnednn(): Promise<boolean> {
  wasmThreads = { threads: 1 };
  if (!(await startWasm())) return false;
  const { registerOnednnBackend } = await import('./onednn');
  onednnThreads = wasmThreadsWanted();
  registerOnednnBackend(onednnThreads);
  if (!(await tf.setBackend('onednn'))) return false;
  await tf.ready();
  return true;
}

/** Starts the wasm backend with the workbench's training kernels. */
async function startWasm(): Promise<boolean> {
  if (!(await tf.setBackend('wasm'))) return false;
  await tf.ready();
  // After initialization: the backend runs its own kernels' setup (binding their WASM functions)
  // when it starts, and some of ours delegate to those originals.
  const { registerWasmTrainingKernels } = await import('./wasm');
  registerWasmTrainingKernels();
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  wasmThreads = { ...wasmThreads, threads: getThreadsCount() };
  return true;
}

/** What each backend can do on this machine, without switching to any of them; `auto`'s order. */
export async function backendStatuses(): Promise<BackendStatus[]> {
  return [
    probeTensorflow(),
    await probeWebgpuBackend(),
    await probeOnednn(),
    await probeWasm(),
    { name: 'cpu', available: true, detail: '@tensorflow/tfjs-backend-cpu (pure JavaScript)' },
  ];
}

/** Switches the engine to the chosen backend (or the best available for `auto`); returns its name. */
export async function selectBackend(choice: BackendChoice): Promise<BackendName> {
  const statuses = await backendStatuses();
  const candidates: BackendName[] = choice === 'auto' ? statuses.map((s) => s.name) : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    const status = statuses.find((s) => s.name === name)!;
    if (!status.available) {
      failures.push(`${name}: ${status.reason}`);
      continue;
    }
    if (choice === 'auto' && !usableByAuto(status)) {
      failures.push(`${name}: only a software adapter (${status.adapter?.device || status.adapter?.description || 'unnamed'})`);
      continue;
    }
    if (name === 'onednn') {
      if (await startOnednn()) return name;
    } else if (name === 'wasm') {
      await prepareWasmThreads();
      if (await startWasm()) return name;
    } else {
      if (name === 'webgpu') await prepareWebgpu();
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (name === 'webgpu') (await import('./webgpu')).onWebgpuReady();
        return name;
      }
    }
    failures.push(`${name}: tfjs could not initialize it`);
  }
  throw new Error(`Backend "${choice}" is not available here (${failures.join('; ')}).`);
}
