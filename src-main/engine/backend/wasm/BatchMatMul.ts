/**
 * BatchMatMul for the WASM backend: transposed operands are transposed explicitly first.
 *
 * The backend sends matmuls with transposeA/transposeB to a slow generic loop instead of XNNPACK;
 * every dense layer's backward pass has both (dx = dy·Wᵀ, dW = xᵀ·dy). For LeNet-5's 64×400×120
 * layer, dy·Wᵀ took 45 ms and xᵀ·dy 29 ms; a Transpose plus the untransposed product takes 3 ms and
 * 1 ms. Untransposed and non-float products go straight to the backend kernel.
 */
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';

import { tf } from '../../tf';
import { asTensor } from './conv_util';
import { originalKernel } from './originals';

/** Swaps the last two axes. */
function transposeLast2(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

function batchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; attrs: BatchMatMulAttrs }): TensorInfo | TensorInfo[] {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return originalKernel('BatchMatMul')(args as unknown as Parameters<KernelFunc>[0]);
  }
  return tf.tidy(() => {
    const a2 = transposeA ? transposeLast2(asTensor(a)) : asTensor(a);
    const b2 = transposeB ? transposeLast2(asTensor(b)) : asTensor(b);
    return tf.engine().runKernel('BatchMatMul', { a: a2, b: b2 }, { transposeA: false, transposeB: false }) as Tensor;
  });
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
