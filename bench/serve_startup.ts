/**
 * `npx tsx bench/serve_startup.ts [--rounds 5] [--roots DIR,DIR]`
 *
 * Start-up time and memory of `ffr serve`, and whether the host process loaded tfjs. Each round
 * starts `node bin/ffr.js serve --port 0 --json` on a fresh data directory and measures:
 * - listening: spawn → the JSON line with the URL on stdout;
 * - first answer: spawn → the answer to `app.ping`;
 * - RSS after the first answer, and RSS (and peak, VmHWM) after a first look at the UI's data:
 *   projects.list, datasets.list, runs.defaults, runs.validateConfig of a small synthetic run;
 * - tfjs in the host: the probe (scripts/host-probe/probe.mjs) reports at exit whether tfjs's engine
 *   global exists and which @tensorflow modules are in the CommonJS cache.
 * With several `--roots` checkouts (e.g. a worktree of an older commit), rounds alternate between
 * them so both are measured under the same machine load. Medians over rounds are printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, parseArgs } from './lib/args';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const rounds = Number(args.get('rounds') ?? 5);
const roots = (args.get('roots')?.split(',') ?? []).map((r) => path.resolve(r));
if (roots.length === 0) roots.push(path.resolve(here, '..'));
const probe = path.resolve(here, '..', 'scripts', 'host-probe', 'probe.mjs');

interface Sample {
  listeningMs: number;
  firstAnswerMs: number;
  rssAfterPingMb: number;
  rssAfterUiMb: number;
  peakRssMb: number;
  tfEngine: boolean;
  tensorflowModules: number;
}

function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function call(url: string, token: string, method: string, params: unknown): Promise<unknown> {
  const res = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ffr-token': token }, body: JSON.stringify(params) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (!res.ok) throw new Error(`${method}: ${body.error?.message ?? res.status}`);
  return body.result;
}

async function measure(root: string): Promise<Sample> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-serve-bench-'));
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-serve-probe-'));
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'ffr.js'), 'serve', '--port', '0', '--json'], {
    cwd: root,
    env: { ...process.env, FFR_HOME: home, FFR_HOST_PROBE_DIR: probeDir, NODE_OPTIONS: `--import=${probe}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    const info = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        try {
          resolve(JSON.parse(out) as { url: string; token: string });
        } catch {
          // not complete yet
        }
      });
      child.once('exit', (code) => reject(new Error(`ffr serve exited with ${code}`)));
    });
    const listeningMs = performance.now() - started;
    const origin = new URL(info.url).origin;
    await call(origin, info.token, 'app.ping', {});
    const firstAnswerMs = performance.now() - started;
    const rssAfterPingMb = procStatusMb(child.pid!, 'VmRSS');
    await call(origin, info.token, 'projects.list', {});
    await call(origin, info.token, 'datasets.list', {});
    await call(origin, info.token, 'runs.defaults', {});
    await call(origin, info.token, 'runs.validateConfig', {
      config: { model: 'mlp', dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 64, testSize: 32 }, backend: 'cpu' },
    });
    const rssAfterUiMb = procStatusMb(child.pid!, 'VmRSS');
    const peakRssMb = procStatusMb(child.pid!, 'VmHWM');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const report = JSON.parse(fs.readFileSync(path.join(probeDir, `${child.pid}.json`), 'utf8')) as { tfEngine: boolean; tensorflowModules: string[] };
    return { listeningMs, firstAnswerMs, rssAfterPingMb, rssAfterUiMb, peakRssMb, tfEngine: report.tfEngine, tensorflowModules: report.tensorflowModules.length };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(probeDir, { recursive: true, force: true });
  }
}

const samples = new Map<string, Sample[]>(roots.map((r) => [r, []]));
for (let i = 0; i < rounds; i++) {
  for (const root of roots) samples.get(root)!.push(await measure(root));
}
const fmt = (v: number, d = 0) => v.toFixed(d);
console.log(`ffr serve start-up, ${rounds} round(s), medians (node ${process.version}, ${os.cpus().length} cores)`);
console.log('checkout | listening ms | first answer ms | RSS after ping MB | RSS after UI calls MB | peak RSS MB | tfjs engine global | @tensorflow modules');
for (const [root, s] of samples) {
  const m = (f: (x: Sample) => number) => median(s.map(f));
  console.log(
    [root, fmt(m((x) => x.listeningMs)), fmt(m((x) => x.firstAnswerMs)), fmt(m((x) => x.rssAfterPingMb), 1), fmt(m((x) => x.rssAfterUiMb), 1), fmt(m((x) => x.peakRssMb), 1),
      s.map((x) => (x.tfEngine ? 'yes' : 'no')).join('/'), s.map((x) => x.tensorflowModules).join('/')].join(' | '),
  );
}
