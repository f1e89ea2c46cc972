/**
 * `auto` and WebGPU in a real trainer-like selection: a software adapter (llvmpipe here) is passed
 * by (to onednn where its addon is built, else wasm), a hardware one is taken unless tensorflow is
 * available.
 */
import { describe, expect, it } from 'vitest';

import { backendStatuses, selectBackend } from './select';

describe('selectBackend(auto) with a WebGPU adapter', () => {
  it('takes webgpu only on a hardware adapter', async () => {
    const statuses = await backendStatuses();
    expect(statuses.map((s) => s.name)).toEqual(['tensorflow', 'webgpu', 'onednn', 'wasm', 'cpu']);
    const webgpu = statuses.find((s) => s.name === 'webgpu')!;
    const tensorflow = statuses.find((s) => s.name === 'tensorflow')!;
    const onednn = statuses.find((s) => s.name === 'onednn')!;
    const chosen = await selectBackend('auto');
    if (tensorflow.available) expect(chosen).toBe('tensorflow');
    else if (webgpu.available && !webgpu.software) expect(chosen).toBe('webgpu');
    else if (onednn.available) expect(chosen).toBe('onednn');
    else expect(chosen).toBe('wasm');
    if (webgpu.software) expect(chosen).not.toBe('webgpu');
  });
});
