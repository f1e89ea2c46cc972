/** Backend facts shared by the host, the CLI and the renderer (no runtime beyond plain data). */

interface StatusLike<N extends string> {
  name: N;
  available: boolean;
  software?: boolean | undefined;
}

/** Whether `auto` may take this backend: available, and not a WebGPU software adapter (llvmpipe and the like train slower than wasm). */
export function usableByAuto(status: StatusLike<string>): boolean {
  return status.available && !(status.name === 'webgpu' && status.software === true);
}

/** What `auto` picks from statuses listed in its order of preference: the first one it may take. */
export function autoBackend<N extends string>(statuses: readonly StatusLike<N>[]): N | null {
  return statuses.find(usableByAuto)?.name ?? null;
}
