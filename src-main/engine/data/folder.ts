/**
 * Loads an image folder (layout and split rules: catalog/datasets/folder.ts): decodes every image
 * of the scan and resizes it to one shape (default 32×32×3).
 */
import { readFileSync } from 'node:fs';
import { folderHeaderOf, scanImageFolder, type FolderEntry as Entry } from '../../catalog/datasets/folder';
import { FOLDER_DEFAULT_SHAPE, type ImageShape } from '../../shared/run-config';
import { decodeImage, resizeInto } from './image-decode';
import { channelStats } from './split';
import { DatasetError, datasetMeta, imageSize, type SourceDataset as Dataset, type Split } from './types';

function readSplit(entries: Entry[], shape: ImageShape): Split {
  const [h, w, c] = shape;
  const size = imageSize(shape);
  const images = new Uint8Array(entries.length * size);
  const labels = new Uint16Array(entries.length);
  entries.forEach((e, i) => {
    let buf: Uint8Array;
    try {
      buf = readFileSync(e.file);
    } catch {
      throw new DatasetError(`Image file ${e.file} could not be read.`);
    }
    resizeInto(decodeImage(e.file, buf), h, w, c, images, i * size);
    labels[i] = e.label;
  });
  return { images, labels, count: entries.length };
}

export async function loadImageFolder(dataDir: string | undefined, shape: ImageShape = FOLDER_DEFAULT_SHAPE): Promise<Dataset> {
  const scan = await scanImageFolder(dataDir);
  const train = readSplit(scan.train, shape);
  const test = readSplit(scan.test, shape);
  return { ...datasetMeta(folderHeaderOf(scan, shape)), train, test, ...channelStats(train, shape[2]) };
}
