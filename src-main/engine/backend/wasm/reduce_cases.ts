/** Reduction cases shared by the Sum and Mean tests: NHWC training reductions plus fallbacks. */
export const reduceCases: Array<{ name: string; shape: number[]; axis: number[] | number; keepDims: boolean }> = [
  { name: 'batch-norm statistics: [7,9,11,5] over [0,1,2]', shape: [7, 9, 11, 5], axis: [0, 1, 2], keepDims: false },
  { name: 'global average pool: [7,9,11,5] over [1,2]', shape: [7, 9, 11, 5], axis: [1, 2], keepDims: false },
  { name: 'keepDims: [7,9,11,5] over [0,1,2] -> [1,1,1,5]', shape: [7, 9, 11, 5], axis: [0, 1, 2], keepDims: true },
  { name: 'dense bias gradient: [7,10] over 0', shape: [7, 10], axis: 0, keepDims: false },
  { name: 'single middle axis: [3,5,4] over 1', shape: [3, 5, 4], axis: 1, keepDims: false },
  { name: 'size-1 axis: [1,6] over 0', shape: [1, 6], axis: 0, keepDims: false },
  { name: 'unsorted negative axes: [4,6,3] over [-2,0]', shape: [4, 6, 3], axis: [-2, 0], keepDims: false },
  { name: 'innermost axis (backend kernel): [7,9,5] over 2', shape: [7, 9, 5], axis: 2, keepDims: false },
  { name: 'non-contiguous axes (backend kernel): [3,4,5] over [0,2]', shape: [3, 4, 5], axis: [0, 2], keepDims: false },
  { name: 'all axes (backend kernel): [3,4,5]', shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false },
  { name: 'large batch-norm reduction: [64,16,16,8] over [0,1,2]', shape: [64, 16, 16, 8], axis: [0, 1, 2], keepDims: false },
];
