/**
 * Browser mode (`ffr serve`): methods are `POST /api/<method>` with a JSON body, events arrive on
 * one WebSocket `/api/events`. Both carry the token the server printed, which the page got in its
 * own URL (`?token=…`); without it the server answers 401 and the UI says so instead of retrying.
 * Paths, the token parameter and the shapes of answers and event frames are the contract's
 * (src-main/shared/contract.ts): anything else from the wire is refused, not guessed at.
 */
import { ApiResponse, EventFrame, HTTP_API_PREFIX, HTTP_EVENTS_PATH, TOKEN_QUERY, events, isEventName } from '../../../src-main/shared/contract';
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
  const fromSearch = new URLSearchParams(loc.search).get(TOKEN_QUERY);
  if (fromSearch) return fromSearch;
  const q = loc.hash.indexOf('?');
  return q >= 0 ? new URLSearchParams(loc.hash.slice(q + 1)).get(TOKEN_QUERY) : null;
}

export function createHttpTransport(o: HttpTransportOptions): Transport {
  const fetchImpl = o.fetchImpl ?? fetch.bind(globalThis);
  const WS = o.WebSocketImpl ?? globalThis.WebSocket;
  const minDelay = o.minDelayMs ?? 500;
  const maxDelay = o.maxDelayMs ?? 8000;
  const q = o.token ? `?${TOKEN_QUERY}=${encodeURIComponent(o.token)}` : '';

  const handlers = new Map<string, Set<(p: unknown) => void>>();
  const connHandlers = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let delay = minDelay;
  let started = false;

  function setState(s: ConnectionState): void {
    state = s;
    for (const h of connHandlers) h(s);
  }

  /** One WebSocket text frame: a contract event frame whose payload fits its event, or nothing. */
  function dispatch(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    const frame = EventFrame.safeParse(json);
    if (!frame.success || !isEventName(frame.data.event)) return;
    const payload = events[frame.data.event].safeParse(frame.data.payload);
    if (!payload.success) return;
    for (const h of handlers.get(frame.data.event) ?? []) h(payload.data);
  }

  function connect(): void {
    if (!WS) return setState('closed');
    const url = new URL(HTTP_EVENTS_PATH + q, o.origin);
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
      const r = await fetchImpl(new URL(`${HTTP_API_PREFIX}app.ping${q}`, o.origin).toString(), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
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
    // Downloads are plain links: the browser fetches them itself, so the token rides in the query.
    fileUrl: (path) => new URL(`${path}${q}`, o.origin).toString(),
    async call(method, params) {
      let res: Response;
      try {
        res = await fetchImpl(new URL(`${HTTP_API_PREFIX}${method}${q}`, o.origin).toString(), {
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
      let json: unknown;
      try {
        json = JSON.parse(await res.text());
      } catch {
        json = undefined;
      }
      const body = ApiResponse.safeParse(json);
      if (!body.success) {
        throw new ApiError(`${method} got an answer that is not the workbench API's (HTTP ${res.status}); is this an ffr serve address?`, `http-${res.status}`, res.status);
      }
      if ('error' in body.data) throw new ApiError(body.data.error.message, body.data.error.code, res.status);
      return body.data.result;
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

