/**
 * Browser mode (`ffr serve`): methods are `POST /api/<method>` with a JSON body, events arrive on
 * one WebSocket `/api/events`. Both carry the token the server printed, which the page got in its
 * own URL (`?token=…`); without it the server answers 401 and the UI says so instead of retrying.
 */
import { ApiError } from './errors';
import type { ConnectionState, Transport } from './transport';

export interface HttpTransportOptions {
  /** Origin of the server, e.g. "http://127.0.0.1:5123"; defaults to the page's origin. */
  origin: string;
  token: string | null;
  fetchImpl?: typeof fetch;
  WebSocketImpl?: typeof WebSocket;
  /** Reconnect back-off bounds in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** The token from the page URL: `?token=` in the query or, as a fallback, in the hash's query. */
export function tokenFromLocation(loc: Pick<Location, 'search' | 'hash'>): string | null {
  const fromSearch = new URLSearchParams(loc.search).get('token');
  if (fromSearch) return fromSearch;
  const q = loc.hash.indexOf('?');
  return q >= 0 ? new URLSearchParams(loc.hash.slice(q + 1)).get('token') : null;
}

interface ErrorBody {
  error?: { code?: string; message?: string } | string;
  message?: string;
}

export function createHttpTransport(o: HttpTransportOptions): Transport {
  const fetchImpl = o.fetchImpl ?? fetch.bind(globalThis);
  const WS = o.WebSocketImpl ?? globalThis.WebSocket;
  const minDelay = o.minDelayMs ?? 500;
  const maxDelay = o.maxDelayMs ?? 8000;
  const q = o.token ? `?token=${encodeURIComponent(o.token)}` : '';

  const handlers = new Map<string, Set<(p: unknown) => void>>();
  const connHandlers = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let delay = minDelay;
  let started = false;

  function setState(s: ConnectionState): void {
    state = s;
    for (const h of connHandlers) h(s);
  }

  function dispatch(raw: string): void {
    let msg: { event?: string; type?: string; payload?: unknown; data?: unknown };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return;
    }
    const name = msg.event ?? msg.type;
    if (!name) return;
    const payload = 'payload' in msg ? msg.payload : msg.data;
    for (const h of handlers.get(name) ?? []) h(payload);
  }

  function connect(): void {
    if (!WS) return setState('closed');
    const url = new URL('/api/events' + q, o.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    setState('connecting');
    const ws = new WS(url.toString());
    let opened = false;
    ws.onopen = () => {
      opened = true;
      delay = minDelay;
      setState('open');
    };
    ws.onmessage = (ev: MessageEvent) => dispatch(typeof ev.data === 'string' ? ev.data : '');
    ws.onclose = () => {
      if (state === 'unauthorized') return;
      setState('closed');
      // A socket refused before opening may be a bad token: ask the HTTP side, which gives a status.
      if (!opened) void probeAuth();
      // Exponential back-off so a restarting server is picked up without hammering it.
      setTimeout(connect, delay);
      delay = Math.min(maxDelay, delay * 2);
    };
  }

  async function probeAuth(): Promise<void> {
    try {
      const r = await fetchImpl(new URL('/api/app.ping' + q, o.origin).toString(), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      if (r.status === 401) setState('unauthorized');
    } catch {
      /* the server is down; reconnect keeps trying */
    }
  }

  function ensureStarted(): void {
    if (started) return;
    started = true;
    if (!o.token) {
      setState('unauthorized');
      return;
    }
    connect();
  }

  return {
    kind: 'http',
    async call(method, params) {
      let res: Response;
      try {
        res = await fetchImpl(new URL(`/api/${method}${q}`, o.origin).toString(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(params ?? {}),
        });
      } catch {
        throw new ApiError('The workbench server cannot be reached; is `ffr serve` still running?', 'network');
      }
      if (res.status === 401) {
        setState('unauthorized');
        throw new ApiError('The server refused this page: the access token in the URL is missing or wrong (401). Open the exact URL that `ffr serve` printed.', 'unauthorized', 401);
      }
      const text = await res.text();
      let body: unknown = undefined;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      if (!res.ok) {
        const b = (body ?? {}) as ErrorBody;
        const err = typeof b.error === 'string' ? { message: b.error } : b.error;
        throw new ApiError(err?.message ?? b.message ?? `${method} failed with HTTP ${res.status}.`, err && 'code' in err && err.code ? err.code : `http-${res.status}`, res.status);
      }
      // The server wraps results as {result}; accept a bare value too.
      if (body && typeof body === 'object' && 'result' in body) return (body as { result: unknown }).result;
      if (body && typeof body === 'object' && 'error' in body && (body as ErrorBody).error) {
        const b = body as ErrorBody;
        const err = typeof b.error === 'string' ? { message: b.error } : b.error;
        throw new ApiError(err?.message ?? `${method} failed.`, err && 'code' in err && err.code ? err.code : 'error');
      }
      return body;
    },
    on(event, handler) {
      ensureStarted();
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
    onConnection(handler) {
      ensureStarted();
      connHandlers.add(handler);
      handler(state);
      return () => connHandlers.delete(handler);
    },
  };
}

