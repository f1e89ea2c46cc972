/**
 * Does a training batch fit the GPU? On WebGPU every tensor a kernel reads or writes is one storage
 * buffer binding, so the hard bound is the adapter's maxStorageBufferBindingSize (128 MiB is
 * common; discrete GPUs often allow up to 2–4 GiB): the largest activation of a step, batch × its
 * feature size × 4 bytes, must fit in one binding. Total memory is not known in advance
 * (WebGPU does not report it); running out of it is reported by the device at the first read.
 */
import { INPUT, inferShapes, type ModelSpec } from '../../../catalog/models/spec';
import { formatBytes, type GpuLimits } from '../../../shared/gpu-adapters';

export interface LargestTensor {
  node: string;
  shape: number[];
  /** Bytes for the whole batch (float32). */
  bytes: number;
}

/** The largest activation (node output, or the input) of the model for a batch, in float32. */
export function largestActivation(spec: ModelSpec, batch: number): LargestTensor {
  let best: LargestTensor = { node: INPUT, shape: [...spec.inputShape], bytes: 0 };
  for (const [node, shape] of inferShapes(spec)) {
    const bytes = batch * shape.reduce((a, b) => a * b, 1) * 4;
    if (bytes > best.bytes) best = { node, shape, bytes };
  }
  return best;
}

/** A sentence saying why the batch does not fit, or null when it does. */
export function batchDoesNotFit(spec: ModelSpec, batch: number, limits: GpuLimits): string | null {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const largest = largestActivation(spec, batch);
  if (largest.bytes <= limit) return null;
  const perImage = largest.bytes / batch;
  const maxBatch = Math.floor(limit / perImage);
  return (
    `A batch of ${batch} does not fit this GPU: the output of ${largest.node} (${batch}×${largest.shape.join('×')} floats, ` +
    `${formatBytes(largest.bytes)}) is larger than the ${formatBytes(limit)} one WebGPU buffer binding may hold ` +
    `(maxStorageBufferBindingSize); use --batch-size ${Math.max(1, maxBatch)} or less` +
    (maxBatch < 1 ? ', a smaller input or another backend.' : '.')
  );
}
