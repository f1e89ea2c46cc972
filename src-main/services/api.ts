/**
 * The dispatcher: every method of the contract (shared/contract.ts) mapped to its handler
 * (handlers/, one file per domain), and the host's events as contract events (events.ts).
 * Electron IPC and the HTTP server are thin transports over `dispatch` and `subscribe`; nothing
 * here knows which one calls.
 *
 * Every call is validated twice: params before any service runs (a bad request never reaches the
 * store), results before they leave (a service drifting from the contract fails loudly in tests
 * instead of confusing the renderer). Every error becomes `{code, message}` with one sentence,
 * the code taken from the error's kind (errors.ts), never from its text.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { describeParamsError, isMethodName, methods, type ApiErrorBody, type AppInfo, type BackendStatus, type EventFrame, type MethodName, type Methods } from '../shared/contract';
import type { App } from './app';
import { AppInfoService } from './app-info';
import { ServiceError, toErrorBody } from './errors';
import { archiveName, exportArchive, exportFilePath, exportRecord } from './export-files';
import { EventBridge } from './events';
import { appHandlers } from './handlers/app';
import { datasetHandlers } from './handlers/datasets';
import { exportHandlers } from './handlers/export';
import { projectHandlers } from './handlers/projects';
import { pruneHandlers } from './handlers/prune';
import { runHandlers } from './handlers/runs';
import { slurmHandlers } from './handlers/slurm';
import { studyHandlers } from './handlers/studies';
import type { HandlerContext, Handlers } from './handlers/types';

export type DispatchReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

export interface ApiOptions {
  /** Which shell this dispatcher serves (reported by app.info). */
  shell: AppInfo['shell'];
  /** Overrides the backend probe, a tool job otherwise (tests that need no trainer). */
  backendStatuses?: () => Promise<BackendStatus[]>;
  /** Extra version strings (Electron adds electron/chrome). */
  versions?: Record<string, string>;
  /**
   * Opens a folder in the desktop's file manager (Electron: shell.openPath). Without it,
   * export.open is refused: a browser downloads the files instead.
   */
  openFolder?: (dir: string) => Promise<void>;
}

/** A file the browser downloads (ffr serve's /api/files/ route). */
export interface Download {
  stream: Readable;
  filename: string;
  type: string;
}

export interface Api {
  /** Runs one method; never throws: the reply carries the result or the error body. */
  dispatch(method: string, params: unknown): Promise<DispatchReply>;
  /** Same, typed, throwing a ServiceError with the contract code: for in-process callers and tests. */
  call<M extends MethodName>(method: M, params: z.input<Methods[M]['params']>): Promise<z.output<Methods[M]['result']>>;
  /** Receives every contract event as a frame; returns the unsubscribe function. */
  subscribe(listener: (frame: EventFrame) => void): () => void;
  /** Starts slow lookups the UI will want soon (the backend probe, in a trainer) in the background. */
  warmUp(): void;
  /** Detaches from the job manager. */
  dispose(): void;
  /** One file of an export, or (file omitted) all of them as a zip; throws a ServiceError (not-found). */
  exportDownload(exportId: string, file?: string): Download;
}

export function createApi(app: App, options: ApiOptions): Api {
  const events = new EventBridge(app.jobs, app.store);
  const appInfo = new AppInfoService(app.tools, {
    shell: options.shell,
    paths: app.paths,
    concurrency: app.jobs.concurrencyLimit(),
    ...(options.backendStatuses ? { backendStatuses: options.backendStatuses } : {}),
    ...(options.versions ? { versions: options.versions } : {}),
  });
  const ctx: HandlerContext = {
    app,
    appInfo,
    // Started runs settle in the background; their outcome reaches the UI as run-status events.
    background: (p) => {
      p.catch((e: unknown) => events.emit('log', { runId: null, level: 'error', message: toErrorBody(e).message }));
    },
    // A tool job's lines go to the log of the run it works on (kept, so its page shows them later).
    toolLog: (runId) => (message) => {
      let line = null;
      try {
        line = app.store.logs.append(runId, 'info', message);
      } catch {
        // Keeping the line is best effort; the event still goes out.
      }
      events.emit('log', { runId, level: 'info', message, ...(line ? { seq: line.seq, time: line.time } : {}) });
    },
    emit: (event, payload) => events.emit(event, payload),
    ...(options.openFolder ? { openFolder: options.openFolder } : {}),
  };
  // A study's progress as contract events (the study service is not the job manager's).
  const onStudyProgress = (p: Parameters<typeof events.emit<'study-progress'>>[1]): void => events.emit('study-progress', p);
  app.studies.on('progress', onStudyProgress);
  const handlers: Handlers = {
    ...appHandlers(ctx),
    ...projectHandlers(ctx),
    ...datasetHandlers(ctx),
    ...runHandlers(ctx),
    ...pruneHandlers(ctx),
    ...exportHandlers(ctx),
    ...slurmHandlers(ctx),
    ...studyHandlers(ctx),
  };

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
      if (!reply.ok) throw new ServiceError(reply.error.code, reply.error.message);
      return reply.result as never;
    },
    subscribe: (listener) => events.subscribe(listener),
    warmUp: () => appInfo.warmUp(),
    dispose: () => {
      app.studies.off('progress', onStudyProgress);
      events.dispose();
    },
    exportDownload(exportId, file) {
      const record = exportRecord(app.store, exportId);
      if (file === undefined) return { stream: exportArchive(record), filename: `${archiveName(record)}.zip`, type: 'application/zip' };
      return { stream: fs.createReadStream(exportFilePath(record, file)), filename: path.basename(file), type: 'application/octet-stream' };
    },
  };
}
