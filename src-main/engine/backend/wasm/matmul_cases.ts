/** Shapes for the BatchMatMul kernel tests (wasm and onednn): dense layers both ways, batches, broadcast. */
export interface MatMulCase {
  name: string;
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

export const matMulCases: MatMulCase[] = [
  { name: 'plain [7,40] x [40,12]', a: [7, 40], b: [40, 12], ta: false, tb: false },
  { name: 'dense input gradient dy·Wᵀ: [7,12] x [40,12]ᵀ', a: [7, 12], b: [40, 12], ta: false, tb: true },
  { name: 'dense weight gradient xᵀ·dy: [7,40]ᵀ x [7,12]', a: [7, 40], b: [7, 12], ta: true, tb: false },
  { name: 'both transposed: [9,5]ᵀ x [3,9]ᵀ', a: [9, 5], b: [3, 9], ta: true, tb: true },
  { name: 'batched rank 3 with transposeB: [2,5,6] x [2,4,6]ᵀ', a: [2, 5, 6], b: [2, 4, 6], ta: false, tb: true },
  { name: 'broadcast batch with transposeA: [1,6,5]ᵀ x [3,6,4]', a: [1, 6, 5], b: [3, 6, 4], ta: true, tb: false },
];
