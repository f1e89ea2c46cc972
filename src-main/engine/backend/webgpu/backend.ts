/**
 * tfjs's WebGPU backend (@tensorflow/tfjs-backend-webgpu) on a Dawn device in Node.
 *
 * The package registers its kernels on import, but its own backend factory only exists when
 * `navigator.gpu` is present at import time, and it asks for an adapter with no feature level
 * (which finds nothing where only OpenGL ES is available). So the workbench registers the backend
 * itself, on the device of the adapter it chose. The device is created with every limit the
 * adapter allows: WebGPU's defaults (and compatibility mode's lower ones: 4 storage buffers per
 * stage, 128 invocations per workgroup) are below what tfjs's shaders use.
 *
 * Two Node-specific differences from the browser, handled here:
 * - WebGPU reports errors asynchronously (an invalid pipeline or an out-of-memory just produces
 *   zeros). The device's uncaptured errors are recorded and the next read (`data()`) throws them,
 *   so a broken kernel or a full GPU fails the run with a sentence instead of training on garbage.
 * - Synchronous reads (dataSync, arraySync) need OffscreenCanvas, which Node lacks: they fail with
 *   a sentence saying to use `await data()` (the engine only reads asynchronously).
 */
import type { DataId } from '@tensorflow/tfjs-core/dist/tensor_info';
import type { BackendValues } from '@tensorflow/tfjs-core';
import { tf } from '../../tf';
import { formatBytes } from '../../../shared/gpu-adapters';
import { loadDawn, type FoundAdapter } from './dawn';

export const WEBGPU_BACKEND = 'webgpu';

/** The first device error seen, as a sentence; reads throw it. */
let deviceError: string | undefined;

function recordDeviceError(kind: string, message: string, limits: GPUSupportedLimits): void {
  if (deviceError) return;
  const detail = message.split('\n')[0]!.trim();
  deviceError =
    kind === 'GPUOutOfMemoryError'
      ? `The GPU ran out of memory (Dawn: ${detail}); lower the batch size or the width (the largest buffer this GPU allows is ${formatBytes(limits.maxBufferSize)}).`
      : `The GPU reported an error (${kind}: ${detail}).`;
}

/** Exposes the device error to tests and to the training loop's diagnostics. */
export function webgpuDeviceError(): string | undefined {
  return deviceError;
}

let registered: FoundAdapter | undefined;

/** The adapter the 'webgpu' backend runs on, once registered. */
export function webgpuAdapterInUse(): FoundAdapter | undefined {
  return registered;
}

/** Requests the device and registers the 'webgpu' tfjs backend on it (once per process). */
export async function registerWebgpuBackend(found: FoundAdapter): Promise<void> {
  if (registered) {
    if (registered !== found) throw new Error('The webgpu backend is already registered on another adapter in this process.');
    return;
  }
  const dawn = await loadDawn();
  // GPUBufferUsage, GPUMapMode, GPUShaderStage …: tfjs's shaders refer to them as globals.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  // Node 21+ (and Electron's utility process) have a navigator without gpu; Node 20 has none.
  if (nav) Object.defineProperty(nav, 'gpu', { value: found.gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: found.gpu }, configurable: true, writable: true });

  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  const requiredLimits: Record<string, number> = {};
  for (const key in found.adapter.limits) {
    const value = (found.adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') requiredLimits[key] = value;
  }
  const device = await found.adapter.requestDevice({ requiredLimits });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    recordDeviceError(error.constructor.name, error.message, device.limits);
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') recordDeviceError('device lost', info.message, device.limits);
  });

  class CheckedWebGPUBackend extends webgpu.WebGPUBackend {
    constructor() {
      super(device, found.adapter.info);
      // Its one-time "reading synchronously is slow" console warning would precede our error.
      (this as unknown as { hasReadSyncWarned: boolean }).hasReadSyncWarned = true;
    }

    override async read(dataId: object): Promise<BackendValues> {
      const values = await super.read(dataId);
      if (deviceError) throw new Error(deviceError);
      return values;
    }

    override readSync(dataId: DataId): BackendValues {
      try {
        return super.readSync(dataId);
      } catch (e) {
        if (e instanceof ReferenceError && /OffscreenCanvas/.test(e.message)) {
          throw new Error('The webgpu backend cannot read GPU tensors synchronously in Node (dataSync/arraySync need OffscreenCanvas); read with `await tensor.data()`.');
        }
        throw e;
      }
    }
  }

  if (tf.findBackendFactory(WEBGPU_BACKEND)) tf.removeBackend(WEBGPU_BACKEND);
  // Priority 0: never tfjs's own pick; the workbench always selects a backend by name.
  tf.registerBackend(WEBGPU_BACKEND, () => new CheckedWebGPUBackend(), 0);
  registered = found;
}
