/**
 * A fake host behind the api boundary for store tests: methods answer from handlers the test
 * registers (so each test states the host behaviour it relies on), events are pushed with emit().
 * Everything above `src/api` (stores, their event handling) runs for real.
 */
import { ApiError, setTransport, type Transport } from '../api';
import type { ConnectionState } from '../api/transport';
import type { EventName, Events } from '../api/contract';

type Handler = (params: Record<string, unknown>) => unknown;

export interface FakeHost {
  handle(method: string, fn: Handler): void;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  setConnection(s: ConnectionState): void;
  calls: Array<{ method: string; params: unknown }>;
  callsOf(method: string): unknown[];
}

export function installFakeHost(): FakeHost {
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const conn = new Set<(s: ConnectionState) => void>();
  const calls: FakeHost['calls'] = [];
  const transport: Transport = {
    kind: 'test',
    async call(method, params) {
      calls.push({ method, params });
      const h = handlers.get(method);
      if (!h) throw new ApiError(`No method ${method}.`, 'unknown-method', 404);
      // Copy through JSON like a real transport, so stores never share objects with the "host".
      return JSON.parse(JSON.stringify((await h((params ?? {}) as Record<string, unknown>)) ?? null)) as unknown;
    },
    on(event, handler) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
    onConnection(handler) {
      conn.add(handler);
      handler('open');
      return () => conn.delete(handler);
    },
  };
  setTransport(transport);
  return {
    handle: (m, fn) => void handlers.set(m, fn),
    emit: (event, payload) => {
      for (const h of listeners.get(event) ?? []) h(JSON.parse(JSON.stringify(payload)));
    },
    setConnection: (s) => conn.forEach((h) => h(s)),
    calls,
    callsOf: (m) => calls.filter((c) => c.method === m).map((c) => c.params),
  };
}

/** Lets pending promise chains (store actions triggered by events) settle. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}
