/** Backend facts shared by the host, the CLI and the renderer (no runtime beyond plain data). */

interface StatusLike<N extends string> {
  name: N;
  available: boolean;
  software?: boolean | undefined;
}

/**
 * What `auto` picks from statuses listed in its order of preference: the first available one,
 * except a WebGPU software adapter (llvmpipe and the like train slower than wasm).
 */
export function autoBackend<N extends string>(statuses: readonly StatusLike<N>[]): N | null {
  return statuses.find((s) => s.available && !(s.name === 'webgpu' && s.software === true))?.name ?? null;
}
