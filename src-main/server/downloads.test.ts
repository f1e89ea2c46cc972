/**
 * Export folders in the browser: each recorded file downloads, all of them as one zip, nothing
 * else does (no traversal, no file the export did not record, no symbolic link out of the folder,
 * no request without the token); and `export.open` is the desktop's, refused under ffr serve.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileUrl } from '../shared/contract';
import { createApi, type Api } from '../services/api';
import { testApp, type TestApp } from '../services/testing/host';
import { startServer, type RunningServer } from './http-server';

let app: TestApp;
let api: Api;
let server: RunningServer;
let outside: string;
let exportId: string;
let linkedId: string;
let dir: string;

beforeAll(async () => {
  app = testApp();
  api = createApi(app, { shell: 'serve' });
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'not yours');
  dir = path.join(app.paths.exportsDir, 'e1');
  fs.mkdirSync(path.join(dir, 'shards'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.json'), '{"format":"layers-model"}');
  fs.writeFileSync(path.join(dir, 'shards', 'group1-shard1of1.bin'), Buffer.from([1, 2, 3, 4, 5]));
  fs.writeFileSync(path.join(dir, 'report.json'), '{}');
  fs.writeFileSync(path.join(dir, 'unlisted.txt'), 'not recorded');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link.txt'));
  const run = app.store.runs.create({ projectId: null, kind: 'train', config: (await import('../shared/run-config')).defaultRunConfig() });
  exportId = app.store.exports.create({
    runId: run.id, format: 'tfjs', dir, files: ['model.json', 'shards/group1-shard1of1.bin', 'report.json'],
    params: 10, macs: 20, verified: true, maxAbsDiff: 1e-7, report: {},
  }).id;
  // An export whose record names a file that is a symbolic link out of its folder.
  linkedId = app.store.exports.create({
    runId: run.id, format: 'onnx', dir, files: ['model.json', 'link.txt'], params: 10, macs: 20, verified: true, maxAbsDiff: 1e-7, report: {},
  }).id;
  server = await startServer({ api, port: 0, rendererDir: null });
});
afterAll(async () => {
  await server.close();
  api.dispose();
  await app.cleanup();
  fs.rmSync(outside, { recursive: true, force: true });
});

const get = (p: string, token: string | null = server.token) => fetch(`${server.url}${p.slice(1)}${token ? `?token=${token}` : ''}`);

describe('export downloads (ffr serve)', () => {
  it('each recorded file downloads as an attachment', async () => {
    const r = await get(exportFileUrl(exportId, 'model.json'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="model.json"');
    expect(await r.text()).toBe('{"format":"layers-model"}');
    const shard = await get(exportFileUrl(exportId, 'shards/group1-shard1of1.bin'));
    expect(shard.status).toBe(200);
    expect([...new Uint8Array(await shard.arrayBuffer())]).toEqual([1, 2, 3, 4, 5]);
  });

  it('all of them as one zip with the files under <export>-<format>/', async () => {
    const r = await get(exportFileUrl(exportId, null));
    expect(r.status, await r.clone().text()).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${exportId}-tfjs.zip"`);
    const zip = Buffer.from(await r.arrayBuffer());
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    const file = path.join(outside, 'x.zip');
    fs.writeFileSync(file, zip);
    const names = execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(z.namelist())); print(z.read(z.namelist()[1]).hex())', file], { encoding: 'utf8' });
    expect(names.trim().split('\n')).toEqual([`${exportId}-tfjs/model.json`, `${exportId}-tfjs/shards/group1-shard1of1.bin`, `${exportId}-tfjs/report.json`, '0102030405']);
  });

  it('refuses traversal, unrecorded files, links out of the folder and requests without the token', async () => {
    expect((await get(`/api/files/exports/${exportId}/..%2F..%2Fffr.sqlite`)).status).toBe(404);
    // (fetch folds the dots away: it arrives as the API path /api/ffr.sqlite, which is POST-only)
    const dotted = await get(`/api/files/exports/${exportId}/../../ffr.sqlite`);
    expect(dotted.status).not.toBe(200);
    expect(await dotted.text()).not.toMatch(/SQLite format/);
    const unlisted = await get(exportFileUrl(exportId, 'unlisted.txt'));
    expect(unlisted.status).toBe(404);
    expect(((await unlisted.json()) as { error: { message: string } }).error.message).toBe(`Export ${exportId} has no file "unlisted.txt".`);
    const link = await get(exportFileUrl(linkedId, 'link.txt'));
    expect(link.status).toBe(404);
    expect(await link.text()).not.toMatch(/not yours/);
    // The archive is checked before its first byte: one file out of the folder refuses all of it.
    const zip = await get(exportFileUrl(linkedId, null));
    expect(zip.status).toBe(404);
    expect(((await zip.json()) as { error: { message: string } }).error.message).toBe(`Export ${linkedId} has no file "link.txt" inside its folder.`);
    expect((await get(exportFileUrl('exp-nope00', 'model.json'))).status).toBe(404);
    expect((await get(exportFileUrl(exportId, 'model.json'), null)).status).toBe(401);
    expect((await fetch(`${server.url}${exportFileUrl(exportId, 'model.json').slice(1)}?token=${server.token}`, { method: 'POST' })).status).toBe(405);
  });

  it('export.open is refused under ffr serve and opens the folder where the shell can', async () => {
    await expect(api.call('export.open', { exportId })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/desktop app/) });
    const opened: string[] = [];
    const desktop = createApi(app, { shell: 'electron', openFolder: async (d) => void opened.push(d) });
    try {
      expect(await desktop.call('export.open', { exportId })).toEqual({ exportId, dir });
      expect(opened).toEqual([dir]);
    } finally {
      desktop.dispose();
    }
  });
});
