/** The pure parts of the webgpu backend: adapter classification, Dawn's order per OS, batch fit. */
import { describe, expect, it } from 'vitest';

import { autoBackend } from '../../../shared/backends';
import { buildModelSpec } from '../../../catalog/models/builders';
import { describeAdapter, isSoftwareAdapter, type GpuAdapterSummary } from '../../../shared/gpu-adapters';
import { dawnCandidates, prepareEglEnvironment } from './dawn';
import { batchDoesNotFit, largestActivation } from './memory';

const blank = { vendor: '', architecture: '', device: '', description: '' };

describe('software adapters', () => {
  it.each([
    ['llvmpipe (Mesa OpenGL ES)', { ...blank, device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL ES 3.2 Mesa 22.3.6' }, 'opengles'],
    ['lavapipe (Mesa Vulkan)', { ...blank, vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: 'Mesa 22.3.6 (LLVM 15.0.6) lavapipe' }, 'vulkan'],
    ['SwiftShader', { ...blank, vendor: 'google', device: 'SwiftShader Device (Subzero)' }, 'vulkan'],
    ['WARP (Microsoft Basic Render Driver)', { ...blank, vendor: 'microsoft', device: 'Microsoft Basic Render Driver' }, 'd3d12'],
    ['a fallback adapter', { ...blank, vendor: 'x', device: 'y', isFallbackAdapter: true }, 'vulkan'],
    ["Dawn's null backend", { ...blank, device: 'null-backend' }, 'null'],
  ] as const)('%s is software', (_name, info, backend) => {
    expect(isSoftwareAdapter(info, backend)).toBe(true);
  });

  it.each([
    ['NVIDIA on Vulkan', { vendor: 'nvidia', architecture: 'ada', device: 'NVIDIA GeForce RTX 4070', description: 'NVIDIA driver 550' }, 'vulkan'],
    ['Apple on Metal', { vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2' }, 'metal'],
    ['AMD on D3D12', { vendor: 'amd', architecture: 'rdna-3', device: 'AMD Radeon RX 7800 XT', description: '' }, 'd3d12'],
    ['Intel on Vulkan', { vendor: 'intel', architecture: 'gen-12lp', device: 'Intel(R) UHD Graphics 770 (ADL-S GT1)', description: 'Intel open-source Mesa driver' }, 'vulkan'],
  ] as const)('%s is hardware', (_name, info, backend) => {
    expect(isSoftwareAdapter(info, backend)).toBe(false);
  });

  it('describes an adapter in one line', () => {
    const a: GpuAdapterSummary = {
      ...blank,
      vendor: 'nvidia',
      device: 'NVIDIA GeForce RTX 4070',
      dawnBackend: 'vulkan',
      featureLevel: 'core',
      software: false,
      limits: { maxBufferSize: 2 ** 32, maxStorageBufferBindingSize: 2 ** 31 },
    };
    expect(describeAdapter(a)).toBe('Dawn vulkan · nvidia NVIDIA GeForce RTX 4070 (hardware)');
    expect(describeAdapter({ ...a, vendor: '', device: 'llvmpipe', software: true, dawnBackend: 'opengles', featureLevel: 'compatibility' })).toBe(
      'Dawn opengles · llvmpipe (software, compatibility mode)',
    );
  });
});

describe("Dawn's backends per OS, and headless EGL", () => {
  it('asks the native API first, then the fallbacks', () => {
    expect(dawnCandidates('darwin').map((c) => c.backend)).toEqual(['metal']);
    expect(dawnCandidates('win32').map((c) => c.backend)).toEqual(['d3d12', 'vulkan', 'd3d11']);
    expect(dawnCandidates('linux')).toEqual([
      { backend: 'vulkan', featureLevel: 'core' },
      { backend: 'opengles', featureLevel: 'compatibility' },
    ]);
  });

  it('sets EGL_PLATFORM=surfaceless only on headless Linux with nothing set', () => {
    const headless: NodeJS.ProcessEnv = {};
    expect(prepareEglEnvironment(headless, 'linux')).toBe(true);
    expect(headless.EGL_PLATFORM).toBe('surfaceless');
    for (const env of [{ DISPLAY: ':0' }, { WAYLAND_DISPLAY: 'wayland-0' }, { EGL_PLATFORM: 'x11' }] as NodeJS.ProcessEnv[]) {
      const before = { ...env };
      expect(prepareEglEnvironment(env, 'linux')).toBe(false);
      expect(env).toEqual(before);
    }
    const mac: NodeJS.ProcessEnv = {};
    expect(prepareEglEnvironment(mac, 'darwin')).toBe(false);
    expect(mac.EGL_PLATFORM).toBeUndefined();
  });
});

describe('auto', () => {
  it('passes a software WebGPU adapter by, takes a hardware one after tensorflow', () => {
    const tf = { name: 'tensorflow', available: false };
    const wasm = { name: 'wasm', available: true };
    expect(autoBackend([tf, { name: 'webgpu', available: true, software: true }, wasm])).toBe('wasm');
    expect(autoBackend([tf, { name: 'webgpu', available: true, software: false }, wasm])).toBe('webgpu');
    expect(autoBackend([{ ...tf, available: true }, { name: 'webgpu', available: true, software: false }, wasm])).toBe('tensorflow');
    expect(autoBackend([{ name: 'cpu', available: false }])).toBeNull();
  });
});

describe('does a batch fit the GPU', () => {
  const limits = { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 128 * 2 ** 20 };
  const vgg = buildModelSpec('vgg11', { inputShape: [32, 32, 3], classes: 10, width: 1, shortcut: 'A' });

  it('finds the largest activation of the model', () => {
    expect(largestActivation(vgg, 64)).toMatchObject({ shape: [32, 32, 64], bytes: 64 * 32 * 32 * 64 * 4 });
  });

  it('accepts the batches that fit and names the layer, the sizes and the largest batch otherwise', () => {
    // 256 KiB per image at conv1: 512 images are exactly 128 MiB, 513 are one image too many.
    expect(batchDoesNotFit(vgg, 512, limits)).toBeNull();
    const sentence = batchDoesNotFit(vgg, 513, limits);
    expect(sentence).toMatch(/^A batch of 513 does not fit this GPU: the output of conv1[^ ]* \(513×32×32×64 floats, 128 MiB\)/);
    expect(sentence).toMatch(/use --batch-size 512 or less\.$/);
    // maxBufferSize below the binding limit bounds it too.
    expect(batchDoesNotFit(vgg, 300, { ...limits, maxBufferSize: 64 * 2 ** 20 })).toMatch(/use --batch-size 256 or less\./);
  });
});
