// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import { createHttpTransport, tokenFromLocation } from './http';
import type { ConnectionState } from './transport';

function fakeFetch(status: number, body: unknown, seen: string[] = []): typeof fetch {
  return (async (url: string | URL | Request) => {
    seen.push(String(url));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('http transport', () => {
  it('reads the token from the query or the hash', () => {
    expect(tokenFromLocation({ search: '?token=abc', hash: '#/runs' })).toBe('abc');
    expect(tokenFromLocation({ search: '', hash: '#/runs?token=xyz' })).toBe('xyz');
    expect(tokenFromLocation({ search: '', hash: '#/runs' })).toBeNull();
  });

  it('POSTs to /api/<method> with the token and unwraps {result}', async () => {
    const seen: string[] = [];
    const t = createHttpTransport({ origin: 'http://127.0.0.1:9', token: 't0k', fetchImpl: fakeFetch(200, { result: [1, 2] }, seen) });
    await expect(t.call('projects.list', {})).resolves.toEqual([1, 2]);
    expect(seen).toEqual(['http://127.0.0.1:9/api/projects.list?token=t0k']);
  });

  it('turns {error:{code,message}} into an ApiError with the host’s sentence', async () => {
    const t = createHttpTransport({ origin: 'http://h', token: 'x', fetchImpl: fakeFetch(404, { error: { code: 'not-found', message: 'No run r9.' } }) });
    const e = await t.call('runs.get', { runId: 'r9' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('not-found');
    expect((e as ApiError).message).toBe('No run r9.');
  });

  it('a 401 marks the connection unauthorized (the UI shows the refusal instead of retrying)', async () => {
    const states: ConnectionState[] = [];
    class NoSocket {
      onopen: (() => void) | null = null;
      onclose: (() => void) | null = null;
      onmessage: ((e: MessageEvent) => void) | null = null;
      close(): void {}
    }
    const t = createHttpTransport({
      origin: 'http://h',
      token: 'bad',
      fetchImpl: fakeFetch(401, { error: { code: 'unauthorized', message: 'no' } }),
      WebSocketImpl: NoSocket as unknown as typeof WebSocket,
    });
    t.onConnection((s) => states.push(s));
    const e = await t.call('projects.list', {}).catch((x: unknown) => x);
    expect((e as ApiError).code).toBe('unauthorized');
    expect(states.at(-1)).toBe('unauthorized');
  });

  it('without a token it does not even try the socket', () => {
    const states: ConnectionState[] = [];
    const t = createHttpTransport({ origin: 'http://h', token: null, fetchImpl: fakeFetch(200, {}) });
    t.onConnection((s) => states.push(s));
    expect(states).toEqual(['unauthorized']);
  });

  it('dispatches {event, payload} frames to subscribers', () => {
    let sock: { onmessage: ((e: { data: string }) => void) | null } | null = null;
    class FakeSocket {
      onopen: (() => void) | null = null;
      onclose: (() => void) | null = null;
      onmessage: ((e: { data: string }) => void) | null = null;
      constructor() {
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        sock = this;
      }
    }
    const t = createHttpTransport({ origin: 'http://h', token: 'x', fetchImpl: fakeFetch(200, {}), WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const got: unknown[] = [];
    t.on('run-status', (p) => got.push(p));
    const status = { runId: 'r1', status: 'running', error: null };
    sock!.onmessage!({ data: JSON.stringify({ event: 'run-status', payload: status }) });
    // Only the contract's frames, with payloads that fit their event, reach a subscriber.
    sock!.onmessage!({ data: JSON.stringify({ event: 'run-status', payload: { runId: 'r1' } }) });
    sock!.onmessage!({ data: JSON.stringify({ type: 'run-status', data: status }) });
    sock!.onmessage!({ data: JSON.stringify({ event: 'log', payload: {} }) });
    sock!.onmessage!({ data: 'not json' });
    expect(got).toEqual([status]);
  });

  it('refuses an answer that is not an ApiResponse instead of passing it on', async () => {
    const t = createHttpTransport({ origin: 'http://h', token: 'x', fetchImpl: fakeFetch(200, [1, 2]) });
    const e = await t.call('projects.list', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).message).toMatch(/not the workbench API's/);
  });
});
