/**
 * Fault injection against `ffr serve`'s server: malformed requests sent as raw bytes over a socket
 * (no HTTP client would send them), a poisoned cookie, bad percent-encoding, an oversized body, a
 * symbolic link out of the renderer folder and a handler that throws. Each must be answered (4xx or
 * 500) and the server must go on answering; a burst of all of them during a real training run must
 * leave the run untouched.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, type Api } from '../services/api';
import { testApp, tinyConfig, waitFor } from '../services/testing/host';
import { startServer, type RunningServer } from './http-server';
import { jsonBody, raw, status } from './testing/raw-http';

describe('ffr serve under malformed and hostile requests', () => {
  let app: ReturnType<typeof testApp>;
  let api: Api;
  let server: RunningServer;
  let rendererDir: string;
  let outside: string;
  const errors: string[] = [];
  let host = '';

  beforeAll(async () => {
    app = testApp();
    api = createApi(app, { shell: 'serve', backendStatuses: async () => [{ name: 'cpu', available: true }] });
    // Fault injection: two methods whose handler throws, synchronously and asynchronously.
    const faulty: Api = {
      ...api,
      dispatch: (method, params) => {
        if (method === 'app.ping' && (params as { boom?: string }).boom === 'sync') throw new Error('injected synchronous failure');
        if (method === 'app.ping' && (params as { boom?: string }).boom === 'async') return Promise.reject(new Error('injected asynchronous failure'));
        return api.dispatch(method, params);
      },
    };
    rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-renderer-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-outside-'));
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>FFR</title>');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'the data directory must not be served');
    fs.mkdirSync(path.join(outside, 'dir'));
    fs.writeFileSync(path.join(outside, 'dir', 'deep.js'), 'secret()');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(rendererDir, 'leak.txt'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(rendererDir, 'assets'));
    server = await startServer({ api: faulty, port: 0, rendererDir, onError: (e) => errors.push(e instanceof Error ? e.message : String(e)) });
    host = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    api.dispose();
    await app.cleanup();
    fs.rmSync(rendererDir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const ping = async (): Promise<number> =>
    (await fetch(`${server.url}api/app.ping`, { method: 'POST', headers: { 'x-ffr-token': server.token }, body: '{}' })).status;

  it('answers a request line whose target is not a path with 400 (it used to crash: Invalid URL)', async () => {
    const answer = await raw(server.port, `GET //[ HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expect(status(answer)).toBe(400);
    expect(jsonBody(answer)).toEqual({ error: { code: 'invalid-params', message: 'The request target "//[" is not a path this server serves.' } });
    expect(status(await raw(server.port, `GET //evil.example/api/app.ping?token=${server.token} HTTP/1.1\r\nHost: ${host}\r\n\r\n`))).toBe(400);
    expect(await ping()).toBe(200);
  });

  it('ignores a cookie that is not valid percent-encoding (it used to crash: URIError)', async () => {
    const answer = await raw(server.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ffr_token=%E0%A4%A\r\n\r\n`);
    expect(status(answer)).toBe(401);
    // A planted bad cookie next to the real one does not lock the user out either.
    const both = await fetch(server.url, { headers: { cookie: `ffr_token=%E0%A4%A; ffr_token=${server.token}` } });
    expect(both.status).toBe(200);
    expect(await ping()).toBe(200);
  });

  it('answers a method name with bad percent-encoding with 400 (it used to crash: URIError)', async () => {
    const res = await fetch(`${server.url}api/runs.get%E0%A4%A`, { method: 'POST', headers: { 'x-ffr-token': server.token }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid-params', message: 'The method name "runs.get%E0%A4%A" is not valid percent-encoding.' } });
    // Without the token it is refused before the name is looked at.
    const answer = await raw(server.port, `POST /api/runs.get%E0%A4%A HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\n\r\n{}`);
    expect(status(answer)).toBe(401);
    expect(await ping()).toBe(200);
  });

  it('answers an oversized body with 413, by its declared length and as it streams in', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    const res = await fetch(`${server.url}api/app.ping`, { method: 'POST', headers: { 'x-ffr-token': server.token }, body: JSON.stringify({ big }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'invalid-params', message: 'The body of app.ping is larger than the 1 MiB this server accepts.' } });
    // Chunked: no length up front, so the limit is found while reading.
    const chunk = 'y'.repeat(256 * 1024);
    const chunked = `POST /api/app.ping HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${server.token}\r\nTransfer-Encoding: chunked\r\n\r\n${`${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(5)}0\r\n\r\n`;
    const answer = await raw(server.port, chunked);
    expect(status(answer)).toBe(413);
    expect(await ping()).toBe(200);
  });

  it('answers other malformed HTTP with 4xx and goes on', async () => {
    const cases: Array<[string, number]> = [
      ['NOT HTTP AT ALL\r\n\r\n', 400],
      [`GET * HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 400],
      [`GET http://127.0.0.1/ HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 400],
      [`POST /api/app.ping HTTP/1.1\r\nHost: ${host}\r\nContent-Length: nope\r\n\r\n`, 400],
      [`POST /api/app.ping HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${server.token}\r\nContent-Length: 5\r\n\r\n{oops`, 400],
      [`POST /api/app.ping HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${server.token}\r\nContent-Length: 4\r\n\r\n"\uD800"`, 400],
      [`GET /?token=%E0%A4%A HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 401],
      [`GET / HTTP/1.1\r\nHost: ${'h'.repeat(20_000)}\r\n\r\n`, 431],
    ];
    for (const [bytes, expected] of cases) expect(status(await raw(server.port, bytes)), JSON.stringify(bytes.slice(0, 60))).toBe(expected);
    // A client that goes away halfway through its body: nobody to answer, nothing to log (the
    // throwing-handler test below sees exactly its own two errors).
    const gone = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => gone.on('connect', () => resolve()));
    gone.write(`POST /api/app.ping HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${server.token}\r\nContent-Length: 1000\r\n\r\n{"a":`);
    await new Promise((r) => setTimeout(r, 100));
    gone.resetAndDestroy();
    expect(await ping()).toBe(200);
  });

  it('answers a throwing handler with 500 and goes on', async () => {
    for (const boom of ['sync', 'async']) {
      const res = await fetch(`${server.url}api/app.ping`, { method: 'POST', headers: { 'x-ffr-token': server.token }, body: JSON.stringify({ boom }) });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal', message: `The server failed on this request: injected ${boom === 'sync' ? 'synchronous' : 'asynchronous'} failure` } });
    }
    expect(errors).toEqual(['injected synchronous failure', 'injected asynchronous failure']);
    expect(await ping()).toBe(200);
  });

  it('does not follow a symbolic link out of the renderer folder', async () => {
    const cookie = { cookie: `ffr_token=${server.token}` };
    const leak = await fetch(`${server.url}leak.txt`, { headers: cookie });
    expect(leak.status).toBe(404);
    expect(await leak.text()).not.toContain('data directory');
    expect((await fetch(`${server.url}assets/deep.js`, { headers: cookie })).status).toBe(404);
    expect((await fetch(`${server.url}index.html`, { headers: cookie })).status).toBe(200);
  });

  it('answers malformed WebSocket upgrades and goes on', async () => {
    const upgrade = (target: string, extra = ''): string =>
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
    expect(status(await raw(server.port, upgrade('//[')))).toBe(400);
    expect(status(await raw(server.port, upgrade('/api/events', 'Cookie: ffr_token=%E0%A4%A\r\n')))).toBe(401);
    expect(status(await raw(server.port, upgrade(`/api/events?token=${server.token}`, 'Origin: http://evil.example\r\n')))).toBe(403);
    expect(status(await raw(server.port, upgrade(`/api/events?token=${server.token}`)))).toBe(101);
    // Half a handshake, then the peer vanishes.
    const half = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => half.on('connect', () => resolve()));
    half.write(upgrade(`/api/events?token=${server.token}`).slice(0, 40));
    half.resetAndDestroy();
    expect(await ping()).toBe(200);
  });

  it('keeps training through a burst of malformed requests and still answers a good one', async () => {
    const created = await fetch(`${server.url}api/runs.create`, {
      method: 'POST',
      headers: { 'x-ffr-token': server.token, 'content-type': 'application/json' },
      body: JSON.stringify({ config: tinyConfig({ epochs: 4 }) }),
    });
    expect(created.status).toBe(200);
    const runId = ((await created.json()) as { result: { id: string } }).result.id;
    await waitFor(() => app.store.runs.get(runId)?.status === 'running', 'the run to start');
    const burst = [
      `GET //[ HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ffr_token=%E0%A4%A\r\n\r\n`,
      `POST /api/runs.get%E0%A4%A HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${server.token}\r\nContent-Length: 2\r\n\r\n{}`,
      `POST /api/app.ping HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${server.token}\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n${'z'.repeat(64 * 1024)}`,
      `POST /api/app.ping HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${server.token}\r\nContent-Length: 16\r\n\r\n{"boom": "sync"}`,
      `GET /leak.txt HTTP/1.1\r\nHost: ${host}\r\nCookie: ffr_token=${server.token}\r\n\r\n`,
      'GARBAGE\r\n\r\n',
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), // a TLS ClientHello
    ];
    // Every one of these gets an answer; the quiet window only bounds a server that never answers,
    // so it is generous: a loaded machine (a trainer on both cores) can take seconds to answer 40.
    const answers = await Promise.all(Array.from({ length: 5 }, () => burst.map((b) => raw(server.port, b, 10_000))).flat());
    for (const a of answers) expect(status(a)).toBeGreaterThanOrEqual(400);
    expect(await ping()).toBe(200);
    const runsGet = await fetch(`${server.url}api/runs.get`, { method: 'POST', headers: { 'x-ffr-token': server.token }, body: JSON.stringify({ runId }) });
    expect(runsGet.status).toBe(200);
    // The trainer went on as if nothing happened: every epoch recorded, completed.
    await waitFor(() => app.store.runs.get(runId)?.status === 'completed', 'the run to complete', 120_000);
    expect(app.store.metrics.list(runId).map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
  });
});
