/**
 * Datasets, host side: the bundled ones (from the catalog, no file read), registered folders (the
 * store), and everything that needs the images — validating a folder on import, class counts,
 * sample images — done by a `dataset` tool job in a trainer process, so the host (Electron's main
 * thread included) never decodes a dataset. Each read answers one user action: importing a
 * folder reads it once and keeps the answer for the dataset grid shown right after; opening a
 * dataset reads it once for its description and its samples (`datasets.inspect`).
 */
import path from 'node:path';
import { DatasetError } from '../catalog/datasets/errors';
import { readDatasetHeader } from '../catalog/datasets/header';
import { mnistHeader } from '../catalog/datasets/mnist';
import { syntheticHeader } from '../catalog/datasets/synthetic';
import {
  BUILTIN_MNIST_ID,
  BUILTIN_SYNTHETIC_ID,
  DATASET_GRID_SAMPLES,
  type DatasetDescription,
  type DatasetEntry,
  type DatasetSamples,
  type SampleRequest,
} from '../shared/contract';
import { AUGMENTABLE, DEFAULT_VAL_FRACTION, FOLDER_DEFAULT_SHAPE, SYNTHETIC_DEFAULTS, completeDatasetRef, type DatasetRef, type ImageShape } from '../shared/run-config';
import type { Dataset } from '../shared/store-types';
import type { Store } from '../store';
import { UserInputError } from './errors';
import type { ToolRunner } from './tools';
import type { ToolOutput } from '../trainer/protocol';

type DatasetRead = ToolOutput<'dataset'>;

export interface RegisterInput {
  projectId?: string | null | undefined;
  name?: string | undefined;
  kind: 'cifar10' | 'cifar100' | 'folder';
  dataDir: string;
  shape?: ImageShape | undefined;
}

const BUILTIN_REFS: Record<string, DatasetRef> = {
  [BUILTIN_MNIST_ID]: { name: 'mnist' },
  // The synthetic defaults written out, as a run created from this entry stores them.
  [BUILTIN_SYNTHETIC_ID]: completeDatasetRef({ name: 'synthetic' }),
};

function registeredRef(d: Pick<Dataset, 'kind' | 'dataDir' | 'shape'>): DatasetRef {
  return {
    name: d.kind,
    ...(d.dataDir ? { dataDir: d.dataDir } : {}),
    ...(d.kind === 'folder' || d.kind === 'synthetic' ? { shape: d.shape } : {}),
  };
}

export class DatasetService {
  /** Answers of recent dataset reads, by dataset and sample request (least recently used first). */
  private readonly reads = new Map<string, Promise<DatasetRead>>();

  constructor(
    private readonly store: Store,
    private readonly tools: ToolRunner,
    private readonly keep = 8,
  ) {}

  /** The bundled datasets, described from the catalog. */
  builtins(): DatasetEntry[] {
    const entry = (id: string, name: string): DatasetEntry => {
      const ref = BUILTIN_REFS[id]!;
      const h = ref.name === 'mnist' ? mnistHeader() : syntheticHeader(ref);
      return {
        id,
        projectId: null,
        name,
        kind: h.name,
        dataDir: null,
        shape: h.shape,
        classes: h.classes,
        classNames: h.classNames,
        trainCount: h.trainCount,
        testCount: h.testCount,
        createdAt: '1970-01-01T00:00:00.000Z',
        builtin: true,
        ref,
        augmentable: h.augmentable,
      };
    };
    const s = SYNTHETIC_DEFAULTS;
    return [entry(BUILTIN_MNIST_ID, 'MNIST (bundled)'), entry(BUILTIN_SYNTHETIC_ID, `Synthetic (${s.shape.join('×')}, ${s.classes} classes)`)];
  }

  list(projectId?: string | null): DatasetEntry[] {
    const registered = this.store.datasets.list(projectId ?? undefined).map((d): DatasetEntry => ({ ...d, builtin: false, ref: registeredRef(d), augmentable: AUGMENTABLE[d.kind] }));
    return [...this.builtins(), ...registered];
  }

  /** What a run's `config.dataset` is for a dataset id (bundled or registered). */
  refOf(datasetId: string): DatasetRef {
    return BUILTIN_REFS[datasetId] ?? registeredRef(this.store.datasets.require(datasetId));
  }

  /**
   * Imports a CIFAR folder or an image folder. Refused before any row exists when its header is
   * wrong (no folder, missing files, no classes) or a full read finds a bad record or image.
   */
  async register(input: RegisterInput): Promise<DatasetEntry> {
    if (input.projectId) this.store.projects.require(input.projectId);
    const dataDir = path.resolve(input.dataDir);
    // The ref the stored row will give (registeredRef), so the read below answers later looks too.
    const ref = registeredRef({ kind: input.kind, dataDir, shape: input.shape ?? FOLDER_DEFAULT_SHAPE });
    try {
      await readDatasetHeader(ref);
    } catch (e) {
      if (e instanceof DatasetError) throw new UserInputError(e.message, { field: 'dataDir' });
      throw e;
    }
    // Always read afresh (the files may have changed since an earlier look); the answer is kept
    // for the grid the UI shows next.
    const read = this.read(ref, DATASET_GRID_SAMPLES, { fresh: true });
    const { description, augmentable } = await read;
    const d = this.store.datasets.create({
      projectId: input.projectId ?? null,
      name: input.name ?? path.basename(dataDir),
      kind: input.kind,
      dataDir,
      shape: description.shape,
      classes: description.classes,
      classNames: description.classNames,
      // The whole training split: a run holds its own validation share out of it.
      trainCount: description.train + description.val,
      testCount: description.test,
    });
    return { ...d, builtin: false, ref: registeredRef(d), augmentable };
  }

  /** Description and sample images from one read of the dataset. */
  async inspect(datasetId: string, request: SampleRequest): Promise<{ description: DatasetDescription; samples: DatasetSamples }> {
    const read = await this.read(this.refOf(datasetId), request);
    return { description: read.description, samples: { datasetId, split: request.split, classNames: read.description.classNames, samples: read.samples ?? [] } };
  }

  /** The description; any earlier read of the same dataset answers it. */
  async describe(datasetId: string): Promise<DatasetDescription> {
    const ref = this.refOf(datasetId);
    const prefix = `${JSON.stringify(ref)}|`;
    const earlier = [...this.reads.entries()].reverse().find(([key]) => key.startsWith(prefix));
    return (await (earlier ? earlier[1] : this.read(ref, null))).description;
  }

  async samples(datasetId: string, request: SampleRequest): Promise<DatasetSamples> {
    return (await this.inspect(datasetId, request)).samples;
  }

  delete(datasetId: string): { datasetId: string } {
    if (BUILTIN_REFS[datasetId]) throw new UserInputError(`Dataset ${datasetId} is bundled with the workbench and cannot be deleted.`);
    this.store.datasets.delete(datasetId);
    return { datasetId };
  }

  /** One read of a dataset in a trainer, shared by concurrent and later requests for the same answer. */
  private read(ref: DatasetRef, samples: SampleRequest | null, o: { fresh?: boolean } = {}): Promise<DatasetRead> {
    const key = `${JSON.stringify(ref)}|${JSON.stringify(samples)}`;
    const hit = o.fresh ? undefined : this.reads.get(key);
    this.reads.delete(key);
    const read = hit ?? this.tools.run({ kind: 'dataset', payload: { ref, samples, valFraction: DEFAULT_VAL_FRACTION } });
    this.reads.set(key, read);
    read.catch(() => {
      if (this.reads.get(key) === read) this.reads.delete(key);
    });
    while (this.reads.size > this.keep) this.reads.delete(this.reads.keys().next().value!);
    return read;
  }
}
