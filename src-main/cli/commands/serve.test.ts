/**
 * `ffr serve` as a user runs it: prints {url, port, token} with --json, answers with the token,
 * refuses a non-loopback host, shuts down cleanly on SIGTERM, cancelling a running training
 * (left resumable as `cancelled`), and outlives the malformed requests that used to kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../store';
import { tinyConfig } from '../../services/testing/host';
import { raw, status as rawStatus } from '../../server/testing/raw-http';

const BIN = fileURLToPath(new URL('../../../bin/ffr.js', import.meta.url));

let child: ChildProcess | undefined;
let home: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (home) fs.rmSync(home, { recursive: true, force: true });
  child = undefined;
  home = undefined;
});

function serve(args: string[], env: Record<string, string> = {}): { child: ChildProcess; stdout: Promise<string>; stderr: () => string; exit: Promise<number | null> } {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-serve-'));
  const c = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, FFR_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = c;
  let out = '';
  let err = '';
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const stdout = new Promise<string>((resolve) => {
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // One JSON document, printed once listening.
      if (out.trim().endsWith('}')) resolve(out);
    });
    c.on('exit', () => resolve(out));
  });
  const exit = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)));
  return { child: c, stdout, stderr: () => err, exit };
}

describe('ffr serve', () => {
  it('on a fresh clone builds the UI it serves (no "not built" page)', async () => {
    const ui = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-serve-ui-'));
    const rendererDir = path.join(ui, 'renderer');
    try {
      const s = serve(['--port', '0', '--json'], { FFR_RENDERER_DIR: rendererDir });
      const info = JSON.parse(await s.stdout) as { url: string };
      expect(s.stderr()).toMatch(/Building the workbench UI into .*renderer \(not built yet; about 10 s\)…\nBuilt the UI in \d+\.\d s\./);
      const page = await (await fetch(info.url)).text();
      expect(page).toMatch(/<div id="app"><\/div>/);
      expect(page).not.toMatch(/not built/);
      expect(page).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/);
      // Nothing half-built is left beside it.
      expect(fs.readdirSync(ui)).toEqual(['renderer']);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    } finally {
      fs.rmSync(ui, { recursive: true, force: true });
    }
  });


  it('refuses a non-loopback host without --allow-remote', async () => {
    const s = serve(['--host', '0.0.0.0', '--port', '0']);
    expect(await s.exit).not.toBe(0);
    expect(s.stderr()).toMatch(/^ffr: Refusing to listen on 0\.0\.0\.0: .*--allow-remote.*\.\n$/);
    expect(fs.readdirSync(home!)).toEqual([]); // nothing created
  });

  it('serves with a token and stops cleanly on SIGTERM, cancelling a running training', async () => {
    const s = serve(['--port', '0', '--json']);
    const info = JSON.parse(await s.stdout) as { url: string; port: number; token: string };
    expect(info.url).toBe(`http://127.0.0.1:${info.port}/?token=${info.token}`);
    const base = `http://127.0.0.1:${info.port}/api/`;
    expect((await fetch(`${base}app.ping`, { method: 'POST', body: '{}' })).status).toBe(401);
    const res = await fetch(`${base}runs.create`, {
      method: 'POST',
      headers: { 'x-ffr-token': info.token, 'content-type': 'application/json' },
      body: JSON.stringify({ config: tinyConfig({ epochs: 500 }) }),
    });
    expect(res.status).toBe(200);
    const run = ((await res.json()) as { result: { id: string } }).result;
    // Wait until it trains, then stop the server.
    for (let i = 0; i < 400; i++) {
      const r = await fetch(`${base}runs.get`, { method: 'POST', headers: { 'x-ffr-token': info.token }, body: JSON.stringify({ runId: run.id }) });
      if (((await r.json()) as { result: { run: { status: string } } }).result.run.status === 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.stderr()).toMatch(/SIGTERM: stopping/);
    const store = openStore(path.join(home!, 'ffr.sqlite'), { recoverInterrupted: false });
    try {
      expect(store.runs.require(run.id).status).toBe('cancelled');
    } finally {
      store.close();
    }
  });

  it('survives the requests that used to kill it, and its trainer trains on', async () => {
    const s = serve(['--port', '0', '--json']);
    const info = JSON.parse(await s.stdout) as { port: number; token: string };
    const api = `http://127.0.0.1:${info.port}/api/`;
    const call = (method: string, body: unknown): Promise<Response> =>
      fetch(`${api}${method}`, { method: 'POST', headers: { 'x-ffr-token': info.token }, body: JSON.stringify(body) });
    const run = ((await (await call('runs.create', { config: tinyConfig({ epochs: 3 }) })).json()) as { result: { id: string } }).result;
    const statusOf = async (): Promise<string> => ((await (await call('runs.get', { runId: run.id })).json()) as { result: { run: { status: string } } }).result.run.status;
    while ((await statusOf()) === 'queued') await new Promise((r) => setTimeout(r, 50));
    const host = `127.0.0.1:${info.port}`;
    // The three one-request kills of the fault-injection pass, two of them without the token.
    const answers = await Promise.all([
      raw(info.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ffr_token=%E0%A4%A\r\n\r\n`),
      raw(info.port, `GET //[ HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
      raw(info.port, `POST /api/runs.get%E0%A4%A HTTP/1.1\r\nHost: ${host}\r\nx-ffr-token: ${info.token}\r\nContent-Length: 2\r\n\r\n{}`),
    ]);
    expect(answers.map(rawStatus)).toEqual([401, 400, 400]);
    expect(s.child.exitCode).toBeNull();
    expect((await call('app.ping', {})).status).toBe(200);
    while (['queued', 'running'].includes(await statusOf())) await new Promise((r) => setTimeout(r, 100));
    expect(await statusOf()).toBe('completed');
    expect(s.stderr()).not.toMatch(/URIError|Invalid URL|\n\s+at /);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  });
});
