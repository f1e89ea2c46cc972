/**
 * `ffr serve`'s server over a real app: the token on every request and socket, the non-loopback
 * refusal, static files (and no path traversal), and contract events arriving on the WebSocket
 * while a real trainer runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi, type Api } from '../services/api';
import { testApp, tinyConfig } from '../services/testing/host';
import { startServer, type RunningServer } from './http-server';
import { authorized, checkBindHost, cookieValues, hostAllowed, isLoopbackHost, originAllowed, parseRequestTarget, presentedTokens, tokenMatches } from './security';
import { resolveStatic } from './static';

describe('server security helpers', () => {
  it('tells loopback from remote hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'app.localhost']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.10', '::', 'example.com', '10.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('refuses a non-loopback bind unless allowed', () => {
    expect(() => checkBindHost('0.0.0.0', false)).toThrow(/^Refusing to listen on 0\.0\.0\.0: .*--allow-remote/);
    expect(() => checkBindHost('0.0.0.0', true)).not.toThrow();
    expect(() => checkBindHost('127.0.0.1', false)).not.toThrow();
  });

  it('compares tokens exactly and finds them in header, query or (static only) cookie', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'ab')).toBe(false);
    expect(tokenMatches('abc', null)).toBe(false);
    const at = (u: string): URL => parseRequestTarget(u)!;
    expect(presentedTokens({ headers: {} }, at('/api/x?token=q'), false)).toEqual(['q']);
    expect(presentedTokens({ headers: { 'x-ffr-token': 'h' } }, at('/api/x'), false)).toEqual(['h']);
    expect(presentedTokens({ headers: { cookie: 'a=1; ffr_token=c' } }, at('/'), true)).toEqual(['c']);
    expect(presentedTokens({ headers: { cookie: 'ffr_token=c' } }, at('/'), false)).toEqual([]);
    expect(authorized('abc', ['x', 'abc'])).toBe(true);
    expect(authorized('abc', ['x', 'ab'])).toBe(false);
    expect(authorized('abc', [])).toBe(false);
  });

  it('skips cookie values that are not valid percent-encoding instead of throwing', () => {
    // Any page on another localhost port can plant such a cookie; it used to crash the server.
    expect(cookieValues('ffr_token=%E0%A4%A', 'ffr_token')).toEqual([]);
    expect(cookieValues('ffr_token=%E0%A4%A; ffr_token=good%20one; other=1', 'ffr_token')).toEqual(['good one']);
    expect(cookieValues('ffr_token', 'ffr_token')).toEqual([]);
    expect(cookieValues(undefined, 'ffr_token')).toEqual([]);
  });

  it('parses request targets without throwing, and only paths', () => {
    expect(parseRequestTarget('/api/app.ping?token=t')?.pathname).toBe('/api/app.ping');
    expect(parseRequestTarget('/runs/a%20b')?.pathname).toBe('/runs/a%20b');
    // "//[" made new URL(…, base) throw (a host name "["); "//x" would name a host.
    for (const bad of ['//[', '//evil.example/api/app.ping', 'http://127.0.0.1/', '*', '', undefined]) expect(parseRequestTarget(bad)).toBeNull();
  });

  it('checks Host and Origin against DNS rebinding', () => {
    expect(hostAllowed('127.0.0.1:4178', false)).toBe(true);
    expect(hostAllowed('localhost:4178', false)).toBe(true);
    expect(hostAllowed('evil.example:4178', false)).toBe(false);
    expect(hostAllowed('evil.example:4178', true)).toBe(true);
    expect(originAllowed('http://127.0.0.1:4178', '127.0.0.1:4178')).toBe(true);
    expect(originAllowed('http://evil.example', '127.0.0.1:4178')).toBe(false);
    expect(originAllowed(undefined, '127.0.0.1:4178')).toBe(true);
  });

  it('serves files only from inside the renderer folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-static-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'assets', 'a.js'), '1');
    expect(resolveStatic(dir, '/assets/a.js')?.type).toMatch(/javascript/);
    expect(resolveStatic(dir, '/')?.file).toBe(path.join(dir, 'index.html'));
    expect(resolveStatic(dir, '/runs/abc')?.file).toBe(path.join(dir, 'index.html'));
    expect(resolveStatic(dir, '/missing.js')).toBeNull();
    // ".." is clamped at the root: such paths resolve inside the folder (here to the app shell).
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
      expect(resolveStatic(dir, p)?.file).toBe(path.join(dir, 'index.html'));
    }
    expect(resolveStatic(dir, '/../../etc/hostname.txt')).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('ffr serve', () => {
  let app: ReturnType<typeof testApp>;
  let api: Api;
  let server: RunningServer;
  let rendererDir: string;

  beforeAll(async () => {
    app = testApp();
    api = createApi(app, { shell: 'serve', backendStatuses: async () => [{ name: 'cpu', available: true }] });
    rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-renderer-'));
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>FFR</title>');
    server = await startServer({ api, port: 0, rendererDir });
  });
  afterAll(async () => {
    await server.close();
    api.dispose();
    await app.cleanup();
    fs.rmSync(rendererDir, { recursive: true, force: true });
  });

  const post = (method: string, body: unknown, headers: Record<string, string> = {}, query = ''): Promise<Response> =>
    fetch(`${server.url}api/${method}${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('binds to 127.0.0.1 and prints a URL with the token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.openUrl).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers 401 without the token and 200 with it', async () => {
    const none = await post('app.ping', {});
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'unauthorized', message: 'The access token is missing or wrong; open the URL that ffr serve printed.' } });
    expect((await post('app.ping', {}, { 'x-ffr-token': 'wrong' })).status).toBe(401);
    const viaHeader = await post('app.ping', {}, { 'x-ffr-token': server.token });
    expect(viaHeader.status).toBe(200);
    expect(await viaHeader.json()).toEqual({ result: { ok: true } });
    expect((await post('app.ping', {}, {}, `?token=${server.token}`)).status).toBe(200);
    // The page itself needs it too; opened with it, the page gets a cookie for its assets.
    expect((await fetch(server.url)).status).toBe(401);
    const page = await fetch(server.openUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toMatch(/^ffr_token=.*HttpOnly; SameSite=Strict/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    // The cookie opens static files, never the API.
    const cookie = `ffr_token=${server.token}`;
    expect((await fetch(`${server.url}runs/x`, { headers: { cookie } })).status).toBe(200);
    expect((await post('app.ping', {}, { cookie })).status).toBe(401);
  });

  it('maps contract errors to statuses with {error: {code, message}}', async () => {
    const h = { 'x-ffr-token': server.token };
    const unknown = await post('nope.nothing', {}, h);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown-method');
    const bad = await post('projects.create', { name: '' }, h);
    expect(bad.status).toBe(400);
    const notJson = await fetch(`${server.url}api/app.ping`, { method: 'POST', headers: h, body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: { code: 'invalid-params', message: 'The body of app.ping is not valid JSON.' } });
    expect((await post('runs.get', { runId: 'run-missing' }, h)).status).toBe(404);
    expect((await fetch(`${server.url}api/app.ping`, { headers: h })).status).toBe(405);
  });

  it('refuses a request for a foreign Host name (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, path: `/api/app.ping?token=${server.token}`, method: 'POST', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
  });

  it('refuses to start on a non-loopback host without --allow-remote', async () => {
    await expect(startServer({ api, host: '0.0.0.0', port: 0, rendererDir: null })).rejects.toThrow(/Refusing to listen on 0\.0\.0\.0/);
  });

  /** How a WebSocket handshake ends: 'open' or 'status N'. */
  const handshake = (query: string, options: WebSocket.ClientOptions = {}): Promise<string> => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events${query}`, options);
    return new Promise<string>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        resolve(`status ${res.statusCode}`);
        ws.terminate();
      });
      ws.on('open', () => {
        resolve('open');
        ws.close();
      });
      ws.on('error', (e) => resolve(`error ${e.message}`));
    });
  };

  it('refuses a WebSocket without the right token (query or header), and opens it with the token', async () => {
    expect(await handshake('')).toBe('status 401');
    expect(await handshake('?token=not-the-token')).toBe('status 401');
    expect(await handshake('', { headers: { 'x-ffr-token': 'not-the-token' } })).toBe('status 401');
    // The cookie opens static files only, never the socket.
    expect(await handshake('', { headers: { cookie: `ffr_token=${server.token}` } })).toBe('status 401');
    expect(await handshake(`?token=${server.token}`)).toBe('open');
    expect(await handshake('', { headers: { 'x-ffr-token': server.token } })).toBe('open');
  });

  it('refuses a WebSocket from another origin even with the token (cross-site WebSocket hijacking)', async () => {
    const q = `?token=${server.token}`;
    const self = `http://127.0.0.1:${server.port}`;
    expect(await handshake(q, { origin: self })).toBe('open');
    expect(await handshake(q, { origin: `http://localhost:${server.port}`, headers: { host: `localhost:${server.port}` } })).toBe('open');
    // A page elsewhere; on this host but another port (another local app); same port, other scheme
    // spelled as a different host; an opaque origin (sandboxed frame, file://).
    for (const origin of ['http://evil.example', `http://evil.example:${server.port}`, `http://127.0.0.1:${server.port + 1}`, 'http://127.0.0.1', `http://localhost:${server.port}`, 'null', 'not a url']) {
      expect(await handshake(q, { origin }), origin).toBe('status 403');
    }
  });

  it('refuses a WebSocket for a foreign Host name even with the token (DNS rebinding)', async () => {
    const q = `?token=${server.token}`;
    expect(await handshake(q, { headers: { host: 'evil.example' } })).toBe('status 403');
    expect(await handshake(q, { headers: { host: `evil.example:${server.port}` }, origin: `http://evil.example:${server.port}` })).toBe('status 403');
    expect(await handshake(q, { headers: { host: `localhost:${server.port}` } })).toBe('open');
  });

  it('streams contract events over the WebSocket while a run trains', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    const frames: Array<{ event: string; payload: { runId?: string; status?: string } }> = [];
    const completed = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as (typeof frames)[number];
        frames.push(frame);
        if (frame.event === 'run-status' && frame.payload.status === 'completed') resolve();
      });
    });
    const res = await post('runs.create', { config: tinyConfig() }, { 'x-ffr-token': server.token });
    expect(res.status).toBe(200);
    const run = ((await res.json()) as { result: { id: string } }).result;
    await completed;
    ws.close();
    const mine = frames.filter((f) => f.payload.runId === run.id);
    expect(new Set(mine.map((f) => f.event))).toEqual(new Set(['run-status', 'run-progress', 'run-steps', 'run-epoch', 'log']));
    const epoch = mine.find((f) => f.event === 'run-epoch')!.payload as unknown as { snapshots: unknown[] };
    expect(epoch.snapshots.length).toBeGreaterThan(0);
  });
});
