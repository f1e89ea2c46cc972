/**
 * Electron mode: the preload script exposes `window.ffr` (contextBridge), which forwards to the
 * main process over validated IPC. The renderer never sees ipcRenderer itself.
 */
import { ApiError } from './errors';
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
        // Errors crossing contextBridge lose their class; the main process puts "code: message"
        // or an {code, message} object in them.
        const err = e as { code?: string; message?: string };
        throw new ApiError(err.message ?? String(e), err.code ?? 'error');
      }
    },
    on: (event, handler) => bridge.on(event, handler),
    onConnection(handler) {
      handler('open');
      return () => {};
    },
  };
}
