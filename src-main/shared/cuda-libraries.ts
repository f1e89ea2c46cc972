/**
 * Which shared library stopped TensorFlow (tfjs-node-gpu) from using the GPU, read from the text
 * the loaders print. tfjs-node-gpu 4.22 is built against CUDA 11.2 / cuDNN 8.1: a machine with
 * another CUDA major version has none of the exact sonames it asks for. Two places say so:
 * - require() of the binding fails when the dynamic linker cannot resolve a library it links
 *   (`libtensorflow.so.2: cannot open shared object file`, macOS `Library not loaded: @rpath/…`);
 * - TensorFlow's own loader, which opens CUDA lazily, logs
 *   `Could not load dynamic library 'libcudnn.so.8'; dlerror: …` (Windows: `cudart64_110.dll not
 *   found`) on stderr and then runs on the CPU.
 */

const PATTERNS: RegExp[] = [
  /Could not load dynamic library '([^']+)'/g,
  /([\w.+-]+\.so(?:\.[\w.]+)?): cannot open shared object file/g,
  /Library not loaded: (?:@rpath\/)?([^\s,)]+)/g,
  /([\w.+-]+\.dll) not found/gi,
];

/** Library file names (no directories), in the order first seen, without repeats. */
export function cudaLibraryFailures(text: string): string[] {
  const found: string[] = [];
  for (const pattern of PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const name = m[1]!.split(/[\\/]/).pop()!;
      if (!found.includes(name)) found.push(name);
    }
  }
  return found;
}
