/**
 * `npm run bench [-- --quick] [-- --models resnet20,vgg11] [-- --threads 1,2] [-- --backends wasm,onednn] [-- --rounds 3] [-- --no-torch] [-- --no-webgpu] [-- --webgpu-all]`
 *
 * Training throughput (images/s from the median of timed steps after warm-up) and peak RSS of one
 * SGD step at batch 64, 10 classes, per model, backend and thread count, each in its own process:
 * LeNet-5 on MNIST-shaped input [28, 28, 1]; ResNet-20 and VGG-11 on CIFAR-shaped [32, 32, 3].
 * Backends: wasm (with our training kernels; 1 thread = the single-threaded SIMD build tfjs uses in
 * Node, 2 = its threaded SIMD build, see src-main/engine/backend/wasm/threaded.ts) and onednn (the
 * same plus the oneDNN kernels of src-main/engine/backend/onednn, oneDNN on the same thread count;
 * skipped with a note where its addon is not built) for all models; tfjs's pure-JS
 * cpu backend for LeNet-5 only, in the first round — its convolution gradients are scalar JavaScript
 * loops, minutes per CIFAR step. When Debian's PyTorch is importable by /usr/bin/python3, the same
 * architectures are trained there with torch.set_num_threads equal to each thread count.
 *
 * The machines this runs on are shared VMs whose speed drifts by up to 1.7× within a minute, so the
 * measurements are taken in rounds: each round measures, per model and thread count, wasm, onednn and
 * their PyTorch peer back to back, the ratios ours/PyTorch are computed within the round, and the
 * table reports medians over rounds (and every round's ratio). Results: bench/results/latest.json and a printed table.
 *
 * webgpu (Dawn's preferred adapter, as a trainer selects it): one row per model, labelled with the
 * adapter and whether it is software or hardware, measured after the PyTorch peer and not compared
 * with it. On a software adapter (llvmpipe and the like, no GPU) the numbers only show that the path
 * runs: LeNet-5 is measured in the first round and the CIFAR models are skipped (over a minute per
 * step) unless --webgpu-all is given.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { median, parseArgs } from './lib/args';
import { loadOnednnAddon } from '../src-main/engine/backend/onednn/addon';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const quick = args.has('quick');
const PYTHON = '/usr/bin/python3';
const BATCH = 64;
const ROUNDS = Number(args.get('rounds') ?? (quick ? 1 : 3));
const THREADS = (args.get('threads') ?? '1,2').split(',').map(Number);
const BACKENDS = (args.get('backends') ?? 'wasm,onednn').split(',') as Array<'wasm' | 'onednn'>;
const onednnMissing = loadOnednnAddon().reason;
if (onednnMissing && BACKENDS.includes('onednn')) process.stderr.write(`onednn skipped: ${onednnMissing}\n`);

type Arch = 'lenet5' | 'resnet20' | 'vgg11';
interface Plan {
  arch: Arch;
  backend: 'wasm' | 'onednn' | 'cpu' | 'webgpu';
  threads: number;
  warmup: number;
  steps: number;
  firstRoundOnly?: boolean;
}

// Steps chosen so a default run (3 rounds) stays under ~8 minutes on 2 cores (VGG-11 is ~6 s a step).
const ARCHS: Arch[] = ['lenet5', 'resnet20', 'vgg11'];
const onlyModels = args.get('models')?.split(',');
const plans: Plan[] = [];
for (const arch of ARCHS.filter((a) => !onlyModels || onlyModels.includes(a))) {
  const steps = arch === 'lenet5' ? (quick ? 5 : 15) : arch === 'resnet20' ? (quick ? 2 : 5) : quick ? 1 : 3;
  for (const threads of THREADS) {
    for (const backend of BACKENDS) {
      if (backend === 'onednn' && onednnMissing) continue;
      // onednn steps are ~6x shorter than wasm's: more of them for the same confidence.
      const n = backend === 'onednn' ? steps * 2 : steps;
      plans.push({ arch, backend, threads, warmup: arch === 'lenet5' ? 3 : 2, steps: n });
    }
  }
  if (arch === 'lenet5') plans.push({ arch, backend: 'cpu', threads: 1, warmup: 1, steps: quick ? 1 : 2, firstRoundOnly: true });
  if (!args.has('no-webgpu')) plans.push({ arch, backend: 'webgpu', threads: 1, warmup: 1, steps });
}
/** Set by the first webgpu measurement: a software adapter is measured once, on LeNet-5 only. */
let webgpuSoftware: boolean | undefined;
const webgpuAll = args.has('webgpu-all');

interface Measurement {
  framework: string;
  backend?: string;
  arch: string;
  threads: number;
  medianStepMs: number;
  medianCpuMsPerStep: number;
  imagesPerSec: number;
  peakRssMB: number;
  stepMs: number[];
  round?: number;
  error?: string;
  adapter?: { dawnBackend: string; device: string; description: string; software: boolean };
  skipped?: string;
}

function runJson(cmd: string, argv: string[]): Measurement {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${path.basename(argv[argv.length > 2 ? 2 : 0] ?? cmd)} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(line) as Measurement;
}

function torchAvailable(): string | null {
  try {
    return execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function measureTfjs(p: Plan, round: number): Measurement {
  process.stderr.write(`round ${round}: tfjs ${p.backend} ${p.arch} ${p.threads} thread(s): ${p.warmup} warm-up + ${p.steps} timed steps…\n`);
  try {
    const threadArgs = p.backend !== 'cpu' && p.threads > 1 ? ['--threads', String(p.threads)] : [];
    const m = runJson(process.execPath, [
      '--import',
      'tsx',
      path.join(here, 'worker.ts'),
      ...['--backend', p.backend, '--arch', p.arch, '--batch', String(BATCH)],
      ...['--warmup', String(p.warmup), '--steps', String(p.steps)],
      ...threadArgs,
    ]);
    return { ...m, round };
  } catch (e) {
    return { framework: 'tfjs', backend: p.backend, arch: p.arch, threads: p.threads, medianStepMs: NaN, medianCpuMsPerStep: NaN, imagesPerSec: NaN, peakRssMB: NaN, stepMs: [], round, error: (e as Error).message };
  }
}

function measureTorch(arch: Arch, threads: number, steps: number, round: number): Measurement | null {
  process.stderr.write(`round ${round}: pytorch ${arch} ${threads} thread(s): 1 warm-up + ${steps} timed steps…\n`);
  try {
    const m = runJson(PYTHON, [path.join(here, 'torch_bench.py'), '--arch', arch, '--batch', String(BATCH), '--threads', String(threads), '--warmup', '1', '--steps', String(steps)]);
    return { ...m, round };
  } catch (e) {
    process.stderr.write(`  ${(e as Error).message}\n`);
    return null;
  }
}

const torchVersion = args.has('no-torch') ? null : torchAvailable();
if (!torchVersion) process.stderr.write(`PyTorch not available via ${PYTHON} (or --no-torch): skipping the reference.\n`);
const started = Date.now();
const results: Measurement[] = [];
const torchResults: Measurement[] = [];
/** ours/PyTorch within one round, keyed by model/backend/threads. */
const roundRatios = new Map<string, number[]>();
const key = (arch: string, backend: string | undefined, threads: number): string => `${arch}/${backend}/${threads}`;

for (let round = 1; round <= ROUNDS; round++) {
  // Per model and thread count: our backends, then their one PyTorch peer, back to back.
  const groupsOfRound = new Map<string, Plan[]>();
  for (const p of plans) {
    if (p.firstRoundOnly && round > 1) continue;
    const g = `${p.arch}/${p.threads}`;
    groupsOfRound.set(g, [...(groupsOfRound.get(g) ?? []), p]);
  }
  for (const group of groupsOfRound.values()) {
    const measured = group.filter((p) => p.backend === 'wasm' || p.backend === 'onednn').map((p) => ({ p, m: measureTfjs(p, round) }));
    results.push(...measured.map((x) => x.m));
    const compared = measured.filter(({ m }) => !m.error);
    const { arch, threads } = group[0]!;
    const ref = torchVersion && compared.length > 0 ? measureTorch(arch, threads, arch === 'lenet5' ? 15 : quick ? 2 : 5, round) : null;
    if (ref) {
      torchResults.push(ref);
      for (const { p, m } of compared) {
        const k = key(p.arch, p.backend, p.threads);
        roundRatios.set(k, [...(roundRatios.get(k) ?? []), m.imagesPerSec / ref.imagesPerSec]);
      }
    }
    // After the PyTorch peer, so they do not separate it from ours, and not compared with it: the
    // pure-JS cpu backend (minutes) and webgpu.
    for (const p of group.filter((q) => q.backend === 'cpu')) results.push(measureTfjs(p, round));
    for (const p of group.filter((q) => q.backend === 'webgpu')) {
      if (webgpuSoftware && !webgpuAll) {
        if (round > 1) continue;
        if (p.arch !== 'lenet5') {
          const skipped = 'software adapter: skipped (over a minute per step; --webgpu-all measures it)';
          results.push({ framework: 'tfjs', backend: 'webgpu', arch: p.arch, threads: 1, medianStepMs: NaN, medianCpuMsPerStep: NaN, imagesPerSec: NaN, peakRssMB: NaN, stepMs: [], round, skipped });
          continue;
        }
      }
      const m = measureTfjs(p, round);
      if (m.adapter) webgpuSoftware = m.adapter.software;
      results.push(m);
    }
  }
}

/** Median over rounds of one configuration's measurements. */
function summarize(ms: Measurement[]): Measurement {
  const ok = ms.filter((m) => !m.error);
  const first = ms[0]!;
  if (ok.length === 0) return first;
  return {
    ...ok[0]!,
    medianStepMs: median(ok.map((m) => m.medianStepMs)),
    medianCpuMsPerStep: median(ok.map((m) => m.medianCpuMsPerStep)),
    imagesPerSec: median(ok.map((m) => m.imagesPerSec)),
    peakRssMB: Math.max(...ok.map((m) => m.peakRssMB)),
  };
}
const groups = new Map<string, Measurement[]>();
for (const m of results) groups.set(key(m.arch, m.backend, m.threads), [...(groups.get(key(m.arch, m.backend, m.threads)) ?? []), m]);
const torchGroups = new Map<string, Measurement[]>();
for (const m of torchResults) torchGroups.set(`${m.arch}/${m.threads}`, [...(torchGroups.get(`${m.arch}/${m.threads}`) ?? []), m]);

const rows = [...groups.entries()].map(([k, ms]) => {
  const m = summarize(ms);
  const refs = m.backend === 'cpu' || m.backend === 'webgpu' ? undefined : torchGroups.get(`${m.arch}/${m.threads}`);
  const ref = refs ? summarize(refs) : undefined;
  const ratios = roundRatios.get(k);
  const adapter = ms.find((x) => x.adapter)?.adapter;
  return {
    model: m.arch,
    backend: `tfjs-${m.backend}${m.backend === 'webgpu' ? (adapter ? ` (${adapter.software ? 'software' : 'hardware'})` : webgpuSoftware ? ' (software)' : '') : ''}`,
    ...(adapter ? { adapter: `${adapter.dawnBackend} · ${adapter.device || adapter.description}` } : {}),
    threads: m.threads,
    imagesPerSec: m.imagesPerSec,
    medianStepMs: m.medianStepMs,
    cpuMsPerStep: m.medianCpuMsPerStep,
    peakRssMB: m.peakRssMB,
    pytorchImagesPerSec: ref?.imagesPerSec ?? null,
    pytorchPeakRssMB: ref?.peakRssMB ?? null,
    rounds: ms.filter((x) => !x.error).length,
    // Median over rounds of the ratio measured within each round (both sides in the same window).
    ratioOursToPytorch: ratios ? median(ratios) : null,
    ratioPerRound: ratios ?? [],
    // Throughput ratio by CPU time (PyTorch CPU ms / ours): comparable even when the machine is busy.
    ratioByCpuTime: ref ? ref.medianCpuMsPerStep / m.medianCpuMsPerStep : null,
    error: ms.find((x) => x.error)?.error ?? ms.find((x) => x.skipped)?.skipped,
  };
});

const report = {
  date: new Date().toISOString(),
  quick,
  batch: BATCH,
  classes: 10,
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverage1m: os.loadavg()[0] ?? null, node: process.version },
  pytorch: torchVersion,
  onednn: onednnMissing ? { skipped: onednnMissing } : loadOnednnAddon().addon!.info(),
  note: 'cpu backend measured for lenet5 only: its conv gradients are scalar JS loops, hopeless for CIFAR CNNs. ' +
    'Per-step times are medians after warm-up, then medians over rounds; ours/PyTorch is the median of ratios measured within each round. ' +
    'wasm with 2 threads is tfjs\'s threaded SIMD build (src-main/engine/backend/wasm/threaded.ts); onednn with N threads is that build plus oneDNN on N OpenMP threads (passive waiting). ' +
    'Peak RSS is the whole process (wasm heap included). ' +
    'CPU ms is process CPU time per step: on a busy machine, compare by it (ratioByCpuTime). ' +
    'webgpu rows are labelled software/hardware by the adapter Dawn offered: a software adapter (no GPU) says only that the path runs.',
  rounds: ROUNDS,
  rows,
  raw: { tfjs: results, pytorch: torchResults },
  wallSeconds: (Date.now() - started) / 1000,
};
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(path.join(here, 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');

const fmt = (v: number | null, digits = 1): string => (v === null || Number.isNaN(v) ? '—' : v.toFixed(digits));
const header = ['model', 'backend', 'thr', 'img/s', 'step ms', 'CPU ms', 'peak RSS MB', 'PyTorch img/s', 'ours/PyTorch', 'per round', 'by CPU time'];
const table = rows.map((r) => [
  r.model,
  r.backend,
  String(r.threads),
  fmt(r.imagesPerSec),
  fmt(r.medianStepMs, 0),
  fmt(r.cpuMsPerStep, 0),
  fmt(r.peakRssMB, 0),
  fmt(r.pytorchImagesPerSec),
  r.ratioOursToPytorch === null ? '—' : r.ratioOursToPytorch.toFixed(2),
  r.ratioPerRound.map((x) => x.toFixed(2)).join(' ') || '—',
  r.ratioByCpuTime === null ? '—' : r.ratioByCpuTime.toFixed(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
for (const r of rows) if (r.error) console.log(`${r.model} ${r.backend}: ${r.error}`);
const gpu = rows.find((r) => r.adapter);
if (gpu) console.log(`webgpu adapter: ${gpu.adapter}${gpu.backend.includes('software') ? ' (software: the webgpu numbers mean something only on a GPU)' : ''}`);
console.log(`\nbatch ${BATCH}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), load ${fmt(report.machine.loadAverage1m, 2)}; ` +
  `${report.wallSeconds.toFixed(0)} s; written to bench/results/latest.json`);
