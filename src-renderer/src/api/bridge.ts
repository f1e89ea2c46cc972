/**
 * Electron mode: the preload script exposes `window.ffr` (contextBridge), which forwards to the
 * main process over validated IPC. The renderer never sees ipcRenderer itself.
 */
import { ApiErrorBody } from '../../../src-main/shared/contract';
import { ApiError, errorMessage } from './errors';
import type { Transport } from './transport';

export interface FfrBridge {
  call(method: string, params: unknown): Promise<unknown>;
  on(event: string, handler: (payload: unknown) => void): () => void;
}

export function getBridge(): FfrBridge | null {
  const w = globalThis as { ffr?: Partial<FfrBridge> };
  return w.ffr && typeof w.ffr.call === 'function' && typeof w.ffr.on === 'function' ? (w.ffr as FfrBridge) : null;
}

export function createBridgeTransport(bridge: FfrBridge): Transport {
  return {
    kind: 'electron',
    async call(method, params) {
      try {
        return await bridge.call(method, params);
      } catch (e) {
        // The preload rejects with a plain {code, message} (src-main/preload.ts): an Error would
        // lose its code crossing contextBridge. Anything else is a failure of the bridge itself.
        const body = ApiErrorBody.safeParse(e);
        if (body.success) throw new ApiError(body.data.message, body.data.code);
        throw new ApiError(errorMessage(e), 'error');
      }
    },
    on: (event, handler) => bridge.on(event, handler),
    onConnection(handler) {
      handler('open');
      return () => {};
    },
  };
}
