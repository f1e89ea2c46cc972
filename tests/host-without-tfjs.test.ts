/**
 * The host never loads tfjs, nor decodes a dataset: a real `ffr serve` process answers the UI's
 * calls — app info (the backend probe), datasets, a run validated, trained, read back and
 * compared — while a probe loaded into every process (scripts/host-probe/probe.mjs) records what
 * each one loaded. The server's own record must show no tfjs engine, no @tensorflow module, no
 * image codec, not Dawn's binding and not the oneDNN addon (the backend probe runs in a trainer
 * too); the trainers it started must show tfjs, Dawn and the addon (so the probe does see them when
 * they are there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const probe = path.join(root, 'scripts', 'host-probe', 'probe.mjs');

interface ProbeReport {
  pid: number;
  argv: string[];
  tfEngine: boolean;
  tensorflowModules: string[];
  imageCodecModules: string[];
  gpuModules: string[];
  onednnModules: string[];
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-no-tfjs-home-'));
const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-no-tfjs-probe-'));
let server: ChildProcess;
let origin = '';
let token = '';
/** The webgpu status app.info reported (probed by a trainer, never by the server). */
let webgpu: { available: boolean; reason?: string } | undefined;
let onednn: { available: boolean; reason?: string } | undefined;

async function call<T>(method: string, params: unknown): Promise<T> {
  const res = await fetch(`${origin}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ffr-token': token }, body: JSON.stringify(params) });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (!res.ok) throw new Error(`${method}: ${body.error?.message ?? res.status}`);
  return body.result as T;
}

async function waitForStatus(runId: string, status: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await call<{ status: string }>('runs.summary', { runId })).status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not become ${status}`);
}

beforeAll(async () => {
  server = spawn(process.execPath, [path.join(root, 'bin', 'ffr.js'), 'serve', '--port', '0', '--json'], {
    cwd: root,
    env: { ...process.env, FFR_HOME: home, FFR_HOST_PROBE_DIR: probeDir, NODE_OPTIONS: `--import=${probe}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const info = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out) as { url: string; token: string });
      } catch {
        // not the whole document yet
      }
    });
    server.once('exit', (code) => reject(new Error(`ffr serve exited with ${code}`)));
  });
  origin = new URL(info.url).origin;
  token = info.token;
});

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(probeDir, { recursive: true, force: true });
});

describe('ffr serve without tfjs', () => {
  it('answers the UI while its trainers do the tfjs and dataset work', async () => {
    expect(await call('app.ping', {})).toEqual({ ok: true });
    const info = await call<{ backends: Array<{ name: string; available: boolean; reason?: string }> }>('app.info', {});
    expect(info.backends.map((b) => b.name)).toContain('cpu');
    webgpu = info.backends.find((b) => b.name === 'webgpu');
    expect(webgpu, 'app.info lists webgpu').toBeDefined();
    onednn = info.backends.find((b) => b.name === 'onednn');
    expect(onednn, 'app.info lists onednn').toBeDefined();
    expect((await call<unknown[]>('datasets.list', {})).length).toBeGreaterThanOrEqual(2);
    const inspected = await call<{ samples: { samples: unknown[] } }>('datasets.inspect', { datasetId: 'builtin:synthetic', perClass: 1 });
    expect(inspected.samples.samples).toHaveLength(10);
    await call('runs.defaults', {});
    const config = { model: 'mlp', dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 48, testSize: 24 }, epochs: 1, batchSize: 16, probeSize: 16, backend: 'cpu' };
    expect(await call('runs.validateConfig', { config })).toMatchObject({ ok: true });
    const a = await call<{ id: string }>('runs.create', { config });
    await waitForStatus(a.id, 'completed');
    const b = await call<{ id: string }>('runs.create', { config: { ...config, regularizer: 'none' } });
    await waitForStatus(b.id, 'completed');
    expect((await call<{ metrics: unknown[] }>('runs.get', { runId: a.id })).metrics).toHaveLength(1);
    expect((await call<{ configDiff: Record<string, unknown> }>('runs.compare', { runIds: [a.id, b.id] })).configDiff).toHaveProperty('regularizer');
  });

  it('the server process never loaded tfjs, an image codec, Dawn or the oneDNN addon; its trainers did', async () => {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
    const reports = fs.readdirSync(probeDir).map((f) => JSON.parse(fs.readFileSync(path.join(probeDir, f), 'utf8')) as ProbeReport);
    const host = reports.find((r) => r.pid === server.pid);
    expect(host, 'the server wrote its probe report').toBeDefined();
    expect(host!.tfEngine).toBe(false);
    expect(host!.tensorflowModules).toEqual([]);
    expect(host!.imageCodecModules).toEqual([]);
    expect(host!.gpuModules, "the server never loads Dawn's binding").toEqual([]);
    expect(host!.onednnModules, 'the server never loads the oneDNN addon').toEqual([]);
    const trainers = reports.filter((r) => r.pid !== server.pid);
    expect(trainers.some((r) => r.tfEngine && r.tensorflowModules.length > 0)).toBe(true);
    // The backend probe's trainer loaded Dawn (unless Dawn itself cannot load here, or is switched off).
    if (!/did not load|FFR_WEBGPU=0/.test(webgpu?.reason ?? '')) expect(trainers.some((r) => r.gpuModules.length > 0)).toBe(true);
    // And the oneDNN addon, wherever it is built (the probe loads it to report its version).
    if (onednn?.available) expect(trainers.some((r) => r.onednnModules.length > 0)).toBe(true);
  });
});
