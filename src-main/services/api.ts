/**
 * The dispatcher: implements every method of the contract (shared/contract.ts) over the host's
 * services, and bridges the job manager's events to contract events. Electron IPC and the HTTP
 * server are thin transports over `dispatch` and `subscribe`; nothing here knows which one calls.
 *
 * Every call is validated twice: params before any service runs (a bad request never reaches the
 * store), results before they leave (a service drifting from the contract fails loudly in tests
 * instead of confusing the renderer). Every error becomes `{code, message}` with one sentence.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { DatasetError, describeDataset, loadDataset, sampleIndices, samplePng, type Dataset as LoadedDataset } from '../engine/data';
import { SYNTHETIC_DEFAULTS } from '../engine/data/synthetic';
import { VERSION } from '../cli/version';
import {
  BUILTIN_MNIST_ID,
  BUILTIN_SYNTHETIC_ID,
  describeParamsError,
  events,
  isMethodName,
  methods,
  type ApiErrorBody,
  type AppInfo,
  type BackendStatus,
  type ConfigValidation,
  type DatasetEntry,
  type ErrorCode,
  type EventFrame,
  type EventName,
  type EventPayload,
  type MethodName,
  type Methods,
  type ParsedParams,
  type PruneView,
  type SweepView,
  type RunConfigInput,
} from '../shared/contract';
import { ModelName, RunConfig, defaultLearningRate, defaultRunConfig, type DatasetRef } from '../shared/run-config';
import { SweepPoint } from '../shared/prune-types';
import type { Run, Sweep } from '../shared/store-types';
import { StoreError } from '../store';
import type { App } from './app';
import { UserInputError } from './runs';

/** An error the dispatcher reports as is: a contract code and one sentence. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Maps anything thrown by a service to the contract's error body. */
export function toErrorBody(e: unknown): ApiErrorBody {
  if (e instanceof ApiError) return { code: e.code, message: sentence(e.message) };
  if (e instanceof StoreError) {
    const code: ErrorCode = e.code === 'not-found' ? 'not-found' : e.code === 'conflict' ? 'conflict' : e.code === 'invalid' ? 'invalid-input' : 'internal';
    return { code, message: sentence(e.message) };
  }
  if (e instanceof UserInputError || e instanceof DatasetError) return { code: 'invalid-input', message: sentence(e.message) };
  if (e instanceof z.ZodError) return { code: 'invalid-params', message: sentence(e.issues[0]?.message ?? 'Invalid input') };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: sentence(message) };
}

/** One sentence: first line only, ending with a full stop. */
function sentence(message: string): string {
  const first = message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'Unknown error';
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** Smallest gap between two progress events of one run sent to the UI. */
export const PROGRESS_INTERVAL_MS = 200;

export type DispatchReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

export interface ApiOptions {
  /** Which shell this dispatcher serves (reported by app.info). */
  shell: AppInfo['shell'];
  /** Overrides the backend probe (Electron main may probe in a trainer process; tests skip it). */
  backendStatuses?: () => Promise<BackendStatus[]>;
  /** Extra version strings (Electron adds electron/chrome). */
  versions?: Record<string, string>;
}

export interface Api {
  /** Runs one method; never throws: the reply carries the result or the error body. */
  dispatch(method: string, params: unknown): Promise<DispatchReply>;
  /** Same, typed, throwing ApiError: for in-process callers and tests. */
  call<M extends MethodName>(method: M, params: z.input<Methods[M]['params']>): Promise<z.output<Methods[M]['result']>>;
  /** Receives every contract event as a frame; returns the unsubscribe function. */
  subscribe(listener: (frame: EventFrame) => void): () => void;
  /** Detaches from the job manager. */
  dispose(): void;
}

type Handler<M extends MethodName> = (params: ParsedParams<M>) => Promise<z.input<Methods[M]['result']>> | z.input<Methods[M]['result']>;
type Handlers = { [M in MethodName]: Handler<M> };

const requireHere = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return (requireHere(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A form's partial config over the defaults: missing fields take the default, `ffr` is merged field
 * by field, and the learning rate follows the model when the form did not set one.
 */
export function mergeConfig(input: RunConfigInput, base: RunConfig = defaultRunConfig()): Record<string, unknown> {
  const model = ModelName.safeParse(input.model);
  const lr = input.lr !== undefined ? input.lr : model.success && input.model !== base.model ? defaultLearningRate(model.data) : base.lr;
  const ffr = isPlainObject(input.ffr) ? { ...base.ffr, ...input.ffr } : (input.ffr ?? base.ffr);
  return { ...base, ...input, lr, ffr };
}

/** Dataset cache: CIFAR folders are large, and the dataset view asks describe + samples in a row. */
class DatasetCache {
  private readonly entries = new Map<string, Promise<LoadedDataset>>();
  constructor(private readonly size = 3) {}

  get(ref: DatasetRef): Promise<LoadedDataset> {
    const key = JSON.stringify(ref);
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert to mark as most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const loading = loadDataset(ref);
    this.entries.set(key, loading);
    loading.catch(() => this.entries.delete(key));
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
    return loading;
  }
}

export function createApi(app: App, options: ApiOptions): Api {
  const { store, runs, jobs } = app;
  const datasets = new DatasetCache();
  let backendsCache: Promise<BackendStatus[]> | undefined;
  // Imported on first use: probing loads tfjs (and tfjs-node), which the host otherwise never needs.
  const probe = options.backendStatuses ?? (async () => (await import('../engine/backend/select')).backendStatuses());

  /** Started runs settle in the background; their outcome reaches the UI as run-status events. */
  const background = (p: Promise<unknown>): void => {
    p.catch((e: unknown) => emit('log', { runId: null, level: 'error', message: toErrorBody(e).message }));
  };

  /**
   * A run as the UI should see it. Resuming a run queues it without touching its row (the store's
   * status changes when the trainer starts), so a resumed run waiting for a slot is shown as queued.
   */
  const live = (run: Run): Run => (run.status !== 'running' && run.status !== 'queued' && jobs.isQueued(run.id) ? { ...run, status: 'queued' } : run);

  const builtinEntries = async (): Promise<DatasetEntry[]> => {
    const mnistRef: DatasetRef = { name: 'mnist' };
    const syntheticRef: DatasetRef = { name: 'synthetic' };
    const [mnist, synthetic] = await Promise.all([datasets.get(mnistRef), datasets.get(syntheticRef)]);
    const entry = (id: string, name: string, ds: LoadedDataset, ref: DatasetRef): DatasetEntry => ({
      id,
      projectId: null,
      name,
      kind: ref.name,
      dataDir: null,
      shape: ds.shape,
      classes: ds.classes,
      classNames: ds.classNames,
      trainCount: ds.train.count,
      testCount: ds.test.count,
      createdAt: '1970-01-01T00:00:00.000Z',
      builtin: true,
      ref,
      augmentable: ds.augmentable,
    });
    return [
      entry(BUILTIN_MNIST_ID, 'MNIST (bundled)', mnist, mnistRef),
      entry(BUILTIN_SYNTHETIC_ID, `Synthetic (${SYNTHETIC_DEFAULTS.shape.join('×')}, ${SYNTHETIC_DEFAULTS.classes} classes)`, synthetic, syntheticRef),
    ];
  };

  const registeredRef = (d: { kind: DatasetRef['name']; dataDir: string | null; shape: DatasetRef['shape'] }): DatasetRef => ({
    name: d.kind,
    ...(d.dataDir ? { dataDir: d.dataDir } : {}),
    ...(d.kind === 'folder' || d.kind === 'synthetic' ? { shape: d.shape } : {}),
  });

  /** The loadable reference of a dataset id (built-in or registered). */
  const datasetRef = (datasetId: string): DatasetRef => {
    if (datasetId === BUILTIN_MNIST_ID) return { name: 'mnist' };
    if (datasetId === BUILTIN_SYNTHETIC_ID) return { name: 'synthetic' };
    return registeredRef(store.datasets.require(datasetId));
  };

  const validateConfig = async (input: RunConfigInput, base?: RunConfig): Promise<ConfigValidation> => {
    const parsed = RunConfig.safeParse(mergeConfig(input, base));
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.map(String).join('.') || 'config';
        errors[key] ??= sentence(issue.message);
      }
      return { ok: false, errors };
    }
    try {
      return { ok: true, config: await runs.validate(parsed.data) };
    } catch (e) {
      const message = toErrorBody(e).message;
      // RunService.validate fails loading the data, fitting the model to it, or on an FFR setting
      // that adds nothing for this model (which names its field).
      const field = e instanceof UserInputError && e.field ? e.field : message.startsWith('Model ') ? 'model' : 'dataset';
      return { ok: false, errors: { [field]: message } };
    }
  };

  /** Creates and queues a run from a config that validateConfig accepted. */
  const createAndStart = async (input: { projectId?: string | null; name?: string; config: RunConfig; parentRunId?: string | null }): Promise<Run> => {
    const run = await runs.create({
      ...(input.projectId !== undefined ? { projectId: input.projectId } : {}),
      ...(input.name ? { name: input.name } : {}),
      parentRunId: input.parentRunId ?? null,
      config: input.config,
    });
    background(runs.start(run.id));
    return live(store.runs.require(run.id));
  };

  const requireValid = (v: ConfigValidation): RunConfig => {
    if (v.ok) return v.config;
    const [field, reason] = Object.entries(v.errors)[0]!;
    throw new ApiError('invalid-input', field === 'config' || field === 'dataset' || field === 'model' ? reason : `Run setting ${field}: ${reason}`);
  };

  /** Tool jobs' log lines become `log` events of the run they work on. */
  const toolLog = (runId: string) => (message: string): void => emit('log', { runId, level: 'info', message });

  const pruneView = (pruneId: string): PruneView => {
    const v = app.prunes.view(pruneId);
    return { ...v, createdAt: store.prunes.require(pruneId).createdAt };
  };

  const sweepView = (s: Sweep): SweepView => ({
    sweepId: s.id,
    sourceRunId: s.sourceRunId,
    options: s.options,
    points: SweepPoint.array().parse(s.points),
    createdAt: s.createdAt,
  });

  const handlers: Handlers = {
    'app.ping': () => ({ ok: true as const }),
    'app.info': async () => {
      backendsCache ??= probe();
      const backends = await backendsCache.catch((e: unknown) => {
        backendsCache = undefined;
        throw e;
      });
      const versions: Record<string, string> = { node: process.versions.node, platform: `${process.platform}-${process.arch}` };
      for (const [key, pkg] of [
        ['tfjs', '@tensorflow/tfjs'],
        ['better-sqlite3', 'better-sqlite3'],
        ['zod', 'zod'],
      ] as const) {
        const v = packageVersion(pkg);
        if (v) versions[key] = v;
      }
      if (process.versions.electron) versions.electron = process.versions.electron;
      if (process.versions.chrome) versions.chrome = process.versions.chrome;
      Object.assign(versions, options.versions ?? {});
      return {
        version: VERSION,
        shell: options.shell,
        home: app.paths.home,
        database: app.paths.database,
        backends,
        selectedBackend: backends.find((b) => b.available)?.name ?? null,
        versions,
        concurrency: jobs.concurrencyLimit(),
      };
    },

    'projects.list': () => store.projects.list(),
    'projects.create': ({ name }) => store.projects.create({ name }),
    'projects.rename': ({ projectId, name }) => store.projects.rename(projectId, name),
    'projects.delete': ({ projectId }) => {
      store.projects.require(projectId);
      const projectRuns = store.runs.list({ projectId });
      const active = projectRuns.find((r) => jobs.isActive(r.id));
      if (active) throw new ApiError('conflict', `Project ${projectId} has a queued or running run (${active.id}); cancel it before deleting the project.`);
      // Runs first, through the service, so their checkpoint, prune and export files go too.
      const runIds: string[] = [];
      for (const r of projectRuns) {
        if (!store.runs.get(r.id)) continue; // gone with a parent already
        runIds.push(...runs.delete(r.id).runIds);
      }
      store.projects.delete(projectId);
      return { projectId, runIds };
    },

    'datasets.list': async ({ projectId }) => {
      const registered = store.datasets.list(projectId ?? undefined).map(
        (d): DatasetEntry => ({ ...d, builtin: false, ref: registeredRef(d) }),
      );
      return [...(await builtinEntries()), ...registered];
    },
    'datasets.register': async ({ projectId, name, kind, dataDir, shape }) => {
      if (projectId) store.projects.require(projectId);
      const absolute = path.resolve(dataDir);
      const ref: DatasetRef = { name: kind, dataDir: absolute, ...(kind === 'folder' && shape ? { shape } : {}) };
      // Validate by loading: a corrupt CIFAR file or a folder without classes is refused here,
      // before a row exists.
      const ds = await datasets.get(ref);
      const d = store.datasets.create({
        projectId: projectId ?? null,
        name: name ?? path.basename(absolute),
        kind,
        dataDir: absolute,
        shape: ds.shape,
        classes: ds.classes,
        classNames: ds.classNames,
        trainCount: ds.train.count,
        testCount: ds.test.count,
      });
      return { ...d, builtin: false, ref: registeredRef(d), augmentable: ds.augmentable };
    },
    'datasets.describe': async ({ datasetId }) => describeDataset(await datasets.get(datasetRef(datasetId))),
    'datasets.samples': async ({ datasetId, split, perClass, scale, maxClasses }) => {
      const ds = await datasets.get(datasetRef(datasetId));
      const indices = sampleIndices(ds, split, perClass);
      const s = split === 'train' ? ds.train : ds.test;
      const samples = indices
        .filter((i) => s.labels[i]! < maxClasses)
        .map((index) => {
          const label = s.labels[index]!;
          return {
            index,
            label,
            className: ds.classNames[label] ?? String(label),
            dataUrl: `data:image/png;base64,${samplePng(ds, split, index, scale).toString('base64')}`,
          };
        });
      return { datasetId, split, classNames: ds.classNames, samples };
    },
    'datasets.delete': ({ datasetId }) => {
      if (datasetId.startsWith('builtin:')) throw new ApiError('invalid-input', `Dataset ${datasetId} is bundled with the workbench and cannot be deleted.`);
      store.datasets.delete(datasetId);
      return { datasetId };
    },

    'runs.list': (filter) => runs.list(filter).map(live),
    'runs.get': ({ runId }) => {
      const d = runs.show(runId);
      return { ...d, run: live(d.run) };
    },
    'runs.summary': ({ runId }) => runs.summary(runId),
    'runs.defaults': ({ model }) => {
      if (model === undefined) return defaultRunConfig();
      const m = ModelName.safeParse(model);
      if (!m.success) throw new ApiError('invalid-input', `Unknown model "${model}"; choose one of ${ModelName.options.join(', ')}.`);
      return defaultRunConfig({ model: m.data, lr: defaultLearningRate(m.data) });
    },
    'runs.validateConfig': ({ config }) => validateConfig(config),
    'runs.create': async ({ projectId, name, config }) => {
      if (projectId) store.projects.require(projectId);
      const valid = requireValid(await validateConfig(config));
      return createAndStart({ ...(projectId !== undefined ? { projectId } : {}), ...(name ? { name } : {}), config: valid });
    },
    'runs.cancel': ({ runId }) => ({ runId, cancelled: runs.cancel(runId) }),
    'runs.resume': ({ runId }) => {
      background(runs.resume(runId));
      return live(store.runs.require(runId));
    },
    'runs.duplicate': async ({ runId, name, config }) => {
      const source = store.runs.require(runId);
      if (source.kind === 'finetune') {
        throw new ApiError('invalid-input', `Run ${runId} fine-tunes a pruned model; duplicate its source run or prune again instead.`);
      }
      const valid = requireValid(await validateConfig({ ...(config ?? {}) }, source.config));
      return createAndStart({ projectId: source.projectId, name: name ?? `${source.name} (copy)`, config: valid });
    },
    'runs.delete': ({ runId }) => {
      store.runs.require(runId);
      return runs.delete(runId);
    },
    'runs.rename': ({ runId, name }) => live(store.runs.rename(runId, name)),
    'runs.setNotes': ({ runId, notes }) => live(store.runs.setNotes(runId, notes)),
    'runs.setTags': ({ runId, tags }) => live(store.runs.setTags(runId, tags)),
    'runs.compare': ({ runIds }) => runs.compare(runIds),

    'prune.sweep': async ({ runId, options }) => {
      const v = await app.prunes.sweep(runId, options, toolLog(runId));
      return sweepView(store.sweeps.require(v.sweepId));
    },
    'prune.sweeps': ({ runId }) => {
      store.runs.require(runId);
      return store.sweeps.listBySource(runId).map(sweepView);
    },
    'prune.run': async ({ runId, options }) => {
      const { prune, child } = await app.prunes.prune(runId, options, toolLog(runId));
      // The fine-tune is an ordinary queued run: it trains in the background like any other.
      if (child) background(runs.start(child.id));
      return { prune: pruneView(prune.id), child: child ? live(store.runs.require(child.id)) : null };
    },
    'prune.list': ({ runId }) => {
      store.runs.require(runId);
      return store.prunes.listBySource(runId).map((p) => pruneView(p.id));
    },
    'prune.get': ({ pruneId }) => pruneView(store.prunes.require(pruneId).id),

    'export.run': async ({ target, format, outDir, force, samples }) => {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const dir = outDir ? path.resolve(outDir) : path.join(app.paths.exportsDir, `${target}-${format}-${stamp}`);
      const sourceRun = store.prunes.get(target)?.sourceRunId ?? target;
      return app.exports.export(
        { target, format, outDir: dir, ...(force !== undefined ? { force } : {}), ...(samples !== undefined ? { samples } : {}) },
        toolLog(sourceRun),
      );
    },
    'export.list': ({ runId, pruneId }) => {
      if (runId !== undefined) {
        store.runs.require(runId);
        return store.exports.listBySource(runId);
      }
      return store.exports.listByPrune(store.prunes.require(pruneId!).id);
    },
  };

  // --- events: the job manager's events, shaped and validated as contract events
  const listeners = new Set<(frame: EventFrame) => void>();
  function emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const parsed = events[event].safeParse(payload);
    if (!parsed.success) {
      // A drift between the job manager and the contract: say so instead of sending bad data.
      const message = `Dropped a malformed ${event} event: ${parsed.error.issues[0]?.message ?? 'invalid'}.`;
      if (event !== 'log') emit('log', { runId: null, level: 'error', message });
      return;
    }
    const frame: EventFrame = { event, payload: parsed.data };
    for (const l of listeners) {
      try {
        l(frame);
      } catch {
        // One broken transport (a closed socket) must not stop the others.
      }
    }
  }
  const onStatus = (p: EventPayload<'run-status'>): void => {
    if (p.status !== 'queued' && p.status !== 'running') lastProgress.delete(p.runId);
    emit('run-status', p);
  };
  // Progress is throttled per run (the trainer reports every step, which can be hundreds a second
  // on small batches): at most one every PROGRESS_INTERVAL_MS, plus each epoch's last step.
  const lastProgress = new Map<string, number>();
  const onProgress = (p: EventPayload<'run-progress'>): void => {
    const now = Date.now();
    if (p.step !== p.steps && now - (lastProgress.get(p.runId) ?? 0) < PROGRESS_INTERVAL_MS) return;
    lastProgress.set(p.runId, now);
    emit('run-progress', p);
  };
  const onEpoch = (p: { runId: string; metrics: EventPayload<'run-epoch'>['metrics'] }): void => {
    // The job manager emits after the epoch's transaction, so its snapshots are in the store.
    let snapshots: EventPayload<'run-epoch'>['snapshots'] = [];
    try {
      snapshots = store.snapshots.list(p.runId, { epoch: p.metrics.epoch });
    } catch {
      // The run was deleted meanwhile; the metrics alone still make a valid event.
    }
    emit('run-epoch', { runId: p.runId, metrics: p.metrics, snapshots });
  };
  const onLog = (p: EventPayload<'log'>): void => emit('log', p);
  jobs.on('run-status', onStatus);
  jobs.on('run-progress', onProgress);
  jobs.on('run-epoch', onEpoch);
  jobs.on('log', onLog);

  async function dispatch(method: string, rawParams: unknown): Promise<DispatchReply> {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `There is no method "${method}" in the workbench API.` } };
    }
    const spec = methods[method];
    const parsed = spec.params.safeParse(rawParams ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'invalid-params', message: describeParamsError(method, parsed.error) } };
    let raw: unknown;
    try {
      raw = await (handlers[method] as (p: unknown) => unknown)(parsed.data);
    } catch (e) {
      return { ok: false, error: toErrorBody(e) };
    }
    const result = spec.result.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      return {
        ok: false,
        error: { code: 'internal', message: `The host produced an invalid result for ${method} (${issue?.path.join('.') || 'result'}: ${issue?.message ?? 'invalid'}).` },
      };
    }
    return { ok: true, result: result.data };
  }

  return {
    dispatch,
    async call(method, params) {
      const reply = await dispatch(method, params);
      if (!reply.ok) throw new ApiError(reply.error.code, reply.error.message);
      return reply.result as never;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      listeners.clear();
      jobs.off('run-status', onStatus);
      jobs.off('run-progress', onProgress);
      jobs.off('run-epoch', onEpoch);
      jobs.off('log', onLog);
    },
  };
}

