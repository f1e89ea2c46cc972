/**
 * Electron IPC for the contract: one invoke channel for every method, one event channel for every
 * event. Channels are not per-method on purpose: the dispatcher validates method names and params
 * against the contract, so there is one place that decides what the renderer may call.
 *
 * Typed against small structural interfaces rather than Electron's classes, so it is unit-tested
 * with fakes (the Electron binary is not needed).
 */
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type EventFrame, type IpcReply } from '../shared/contract';
import type { Api } from '../services/api';
import type { SenderFrameLike } from './security';

export interface InvokeEventLike {
  senderFrame: SenderFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<IpcReply>): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, frame: EventFrame): void;
}

/**
 * Answers `ffr:call` with an IpcReply; never throws across IPC (Electron would turn a throw into an
 * "Error invoking remote method" string without our code). Returns the unregister function.
 */
export function registerApiIpc(
  ipcMain: IpcMainLike,
  api: Pick<Api, 'dispatch'>,
  isTrusted: (frame: SenderFrameLike | null) => boolean,
  onRefused: (why: string) => void = () => {},
): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, method, params) => {
    if (!isTrusted(event.senderFrame)) {
      onRefused(`Refused an API call from ${event.senderFrame?.url ?? 'a destroyed frame'}.`);
      return { ok: false, error: { code: 'forbidden', message: 'This page is not allowed to use the workbench API.' } };
    }
    if (typeof method !== 'string') {
      return { ok: false, error: { code: 'invalid-params', message: 'The method name must be a string.' } };
    }
    return api.dispatch(method, params);
  });
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

/** Sends every contract event to every live window of the app. */
export function forwardEvents(api: Pick<Api, 'subscribe'>, targets: () => EventTarget[]): () => void {
  return api.subscribe((frame) => {
    for (const t of targets()) {
      if (!t.isDestroyed()) t.send(IPC_EVENT_CHANNEL, frame);
    }
  });
}
