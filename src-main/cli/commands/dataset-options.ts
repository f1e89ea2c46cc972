/** The dataset flags shared by train, model info and dataset inspect. */
import path from 'node:path';
import type { Command } from 'commander';
import { DATASET_NAMES, type DatasetRef } from '../../shared/run-config';
import { choiceOption, numberOption, shapeOption } from '../options';

export interface DatasetFlags {
  dataset: DatasetRef['name'];
  dataDir?: string;
  imageShape?: [number, number, number];
  classes?: number;
  trainSize?: number;
  testSize?: number;
}

export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--dataset <name>', `dataset: ${DATASET_NAMES.join(', ')}`, choiceOption('--dataset', DATASET_NAMES))
    .option('--data-dir <dir>', 'folder with the CIFAR binary files or the image folder')
    .option('--image-shape <HxWxC>', 'synthetic / image folder: image shape, e.g. 32x32x3', shapeOption('--image-shape'))
    .option('--classes <n>', 'synthetic: number of classes', numberOption('--classes', { integer: true, min: 2, max: 1000 }))
    .option('--train-size <n>', 'synthetic: training images', numberOption('--train-size', { integer: true, min: 1 }))
    .option('--test-size <n>', 'synthetic: test images', numberOption('--test-size', { integer: true, min: 1 }));
}

export function datasetRef(f: DatasetFlags): DatasetRef {
  return {
    name: f.dataset,
    // Absolute, as the New-run form's registered datasets are: the same folder is the same config.
    ...(f.dataDir ? { dataDir: path.resolve(f.dataDir) } : {}),
    ...(f.imageShape ? { shape: f.imageShape } : {}),
    ...(f.classes ? { classes: f.classes } : {}),
    ...(f.trainSize ? { trainSize: f.trainSize } : {}),
    ...(f.testSize ? { testSize: f.testSize } : {}),
  };
}
