/** Reading which CUDA / cuDNN / TensorFlow library failed from the loaders' messages. */
import { describe, expect, it } from 'vitest';

import { cudaLibraryFailures } from './cuda-libraries';

describe('cudaLibraryFailures', () => {
  it("reads TensorFlow's lazy CUDA loader (Linux and Windows)", () => {
    const stderr = [
      "2026-11-30 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory",
      "2026-11-30 10:00:00.100000: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory",
      "W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'cudart64_110.dll'; dlerror: cudart64_110.dll not found",
    ].join('\n');
    expect(cudaLibraryFailures(stderr)).toEqual(['libcudart.so.11.0', 'libcudnn.so.8', 'cudart64_110.dll']);
  });

  it('reads the dynamic linker when the binding itself does not load (Linux, macOS)', () => {
    expect(cudaLibraryFailures('Error: libtensorflow.so.2: cannot open shared object file: No such file or directory')).toEqual(['libtensorflow.so.2']);
    expect(
      cudaLibraryFailures('dlopen(/x/tfjs_binding.node, 0x0001): Library not loaded: @rpath/libtensorflow.2.dylib\n  Referenced from: /x/tfjs_binding.node'),
    ).toEqual(['libtensorflow.2.dylib']);
  });

  it('finds nothing in unrelated text', () => {
    expect(cudaLibraryFailures('Cannot find module @tensorflow/tfjs-node-gpu')).toEqual([]);
  });
});
