/**
 * The preload script: the renderer's only door to the host. It exposes `window.ffr` with two
 * functions, `call(method, params)` and `on(event, handler)`, typed by the contract, and nothing
 * else: never ipcRenderer, never a channel name the page could choose.
 *
 * Runs sandboxed (no Node), so it is bundled into one CommonJS file with its imports inlined.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  isEventName,
  isMethodName,
  type ApiErrorBody,
  type EventFrame,
  type EventName,
  type EventPayload,
  type FfrApi,
  type IpcReply,
  type MethodName,
  type Params,
  type Result,
} from './shared/contract';

/** Errors cross contextBridge as plain {code, message} objects (an Error would lose its code). */
function reject(error: ApiErrorBody): Promise<never> {
  return Promise.reject({ code: error.code, message: error.message });
}

const api: FfrApi = {
  async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    if (typeof method !== 'string' || !isMethodName(method)) {
      return reject({ code: 'unknown-method', message: `There is no method "${String(method)}" in the workbench API.` });
    }
    const reply = (await ipcRenderer.invoke(IPC_CALL_CHANNEL, method, params ?? {})) as IpcReply;
    if (reply.ok) return reply.result as Result<M>;
    return reject(reply.error);
  },
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
    if (typeof event !== 'string' || !isEventName(event)) throw new Error(`There is no event "${String(event)}" in the workbench API.`);
    if (typeof handler !== 'function') throw new Error('The event handler must be a function.');
    const set = handlers.get(event) ?? new Set();
    handlers.set(event, set);
    const h = handler as (payload: unknown) => void;
    set.add(h);
    listen();
    return () => {
      set.delete(h);
    };
  },
};

/**
 * One IPC listener for all subscriptions (not one per `on`, which would trip Node's listener
 * limit in a UI that subscribes per component), fanning frames out by event name.
 */
const handlers = new Map<EventName, Set<(payload: unknown) => void>>();
let listening = false;
function listen(): void {
  if (listening) return;
  listening = true;
  ipcRenderer.on(IPC_EVENT_CHANNEL, (_e: IpcRendererEvent, frame: EventFrame) => {
    if (!frame || typeof frame.event !== 'string' || !isEventName(frame.event)) return;
    for (const h of handlers.get(frame.event) ?? []) {
      try {
        h(frame.payload);
      } catch (err) {
        // One failing view must not starve the others of events.
        console.error(err);
      }
    }
  });
}

contextBridge.exposeInMainWorld('ffr', api);
