/**
 * The only module that talks to the host. Picks the Electron preload bridge when it exists and the
 * HTTP/WebSocket client otherwise; stores and views call `api.call(...)` / `api.on(...)` typed from
 * the contract and never know which transport is underneath.
 */
import { createBridgeTransport, getBridge } from './bridge';
import type { EventName, Events, MethodName, Params, Result } from './contract';
import { createHttpTransport, tokenFromLocation } from './http';
import type { ConnectionState, Transport } from './transport';

export * from './contract';
export { ApiError, errorMessage } from './errors';
export type { ConnectionState, Transport } from './transport';

let transport: Transport | null = null;

function defaultTransport(): Transport {
  const bridge = getBridge();
  if (bridge) return createBridgeTransport(bridge);
  return createHttpTransport({ origin: location.origin, token: tokenFromLocation(location) });
}

function current(): Transport {
  return (transport ??= defaultTransport());
}

/** Tests (and nothing else) install a fake host here. */
export function setTransport(t: Transport | null): void {
  transport = t;
}

export const api = {
  get kind(): Transport['kind'] {
    return current().kind;
  },
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    return current().call(method, params) as Promise<Result<M>>;
  },
  on<E extends EventName>(event: E, handler: (payload: Events[E]) => void): () => void {
    return current().on(event, handler as (p: unknown) => void);
  },
  onConnection(handler: (s: ConnectionState) => void): () => void {
    return current().onConnection(handler);
  },
  /** A download link for a host path (e.g. exportFileUrl(…)), or null where there is none (Electron). */
  fileUrl(path: string): string | null {
    return current().fileUrl?.(path) ?? null;
  },
};
