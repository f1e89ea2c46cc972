/**
 * `npm run bench [-- --quick] [-- --models resnet20,vgg11] [-- --no-torch]`
 *
 * Training throughput (images/s from the median of timed steps after warm-up) and peak RSS of one
 * SGD step at batch 64, 10 classes, per model and backend, each in its own process: LeNet-5 on
 * MNIST-shaped input [28, 28, 1]; ResNet-20 and VGG-11 on CIFAR-shaped [32, 32, 3]. Backends: wasm
 * (with our training kernels) for all; tfjs's pure-JS cpu backend for LeNet-5 only — its
 * convolution gradients are scalar JavaScript loops, minutes per CIFAR step, hopeless for CIFAR CNNs.
 * When Debian's PyTorch is importable by /usr/bin/python3, the same architectures are trained there
 * in the same run with torch.set_num_threads equal to our thread count, and the ratio ours/PyTorch
 * is reported. Results: bench/results/latest.json and a printed table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseArgs } from './lib/args';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const quick = args.has('quick');
const PYTHON = '/usr/bin/python3';
const BATCH = 64;

interface Plan {
  arch: 'lenet5' | 'resnet20' | 'vgg11';
  backend: 'wasm' | 'cpu';
  warmup: number;
  steps: number;
}

// Steps chosen so the default run stays under ~5 minutes on 2 cores (VGG-11 is ~6 s a step).
const plans: Plan[] = [
  { arch: 'lenet5', backend: 'wasm', warmup: 2, steps: quick ? 5 : 15 },
  { arch: 'lenet5', backend: 'cpu', warmup: 1, steps: quick ? 1 : 2 },
  { arch: 'resnet20', backend: 'wasm', warmup: 1, steps: quick ? 2 : 5 },
  { arch: 'vgg11', backend: 'wasm', warmup: 1, steps: quick ? 1 : 3 },
];
const onlyModels = args.get('models')?.split(',');
const selected = plans.filter((p) => !onlyModels || onlyModels.includes(p.arch));

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
  error?: string;
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

const torchVersion = args.has('no-torch') ? null : torchAvailable();
const started = Date.now();
const results: Measurement[] = [];
const torchResults = new Map<string, Measurement>();
let threads = 1;

for (const p of selected) {
  process.stderr.write(`tfjs ${p.backend} ${p.arch}: ${p.warmup} warm-up + ${p.steps} timed steps…\n`);
  try {
    const m = runJson(process.execPath, [
      '--import',
      'tsx',
      path.join(here, 'worker.ts'),
      ...['--backend', p.backend, '--arch', p.arch, '--batch', String(BATCH)],
      ...['--warmup', String(p.warmup), '--steps', String(p.steps)],
    ]);
    if (p.backend === 'wasm') threads = m.threads;
    results.push(m);
  } catch (e) {
    results.push({ framework: 'tfjs', backend: p.backend, arch: p.arch, threads: 0, medianStepMs: NaN, medianCpuMsPerStep: NaN, imagesPerSec: NaN, peakRssMB: NaN, stepMs: [], error: (e as Error).message });
  }
}

if (torchVersion) {
  for (const arch of [...new Set(selected.map((p) => p.arch))]) {
    const steps = arch === 'lenet5' ? 15 : quick ? 2 : 5;
    process.stderr.write(`pytorch ${arch} (${threads} thread${threads === 1 ? '' : 's'}): 1 warm-up + ${steps} timed steps…\n`);
    try {
      torchResults.set(
        arch,
        runJson(PYTHON, [path.join(here, 'torch_bench.py'), '--arch', arch, '--batch', String(BATCH), '--threads', String(threads), '--warmup', '1', '--steps', String(steps)]),
      );
    } catch (e) {
      process.stderr.write(`  ${(e as Error).message}\n`);
    }
  }
} else {
  process.stderr.write(`PyTorch not available via ${PYTHON} (or --no-torch): skipping the reference.\n`);
}

const rows = results.map((m) => {
  const ref = m.backend === 'wasm' ? torchResults.get(m.arch) : undefined;
  return {
    model: m.arch,
    backend: `tfjs-${m.backend}`,
    threads: m.threads,
    imagesPerSec: m.imagesPerSec,
    medianStepMs: m.medianStepMs,
    cpuMsPerStep: m.medianCpuMsPerStep,
    peakRssMB: m.peakRssMB,
    pytorchImagesPerSec: ref?.imagesPerSec ?? null,
    pytorchPeakRssMB: ref?.peakRssMB ?? null,
    ratioOursToPytorch: ref ? m.imagesPerSec / ref.imagesPerSec : null,
    // Throughput ratio by CPU time (PyTorch CPU ms / ours): comparable even when the machine is busy.
    ratioByCpuTime: ref ? ref.medianCpuMsPerStep / m.medianCpuMsPerStep : null,
    error: m.error,
  };
});

const report = {
  date: new Date().toISOString(),
  quick,
  batch: BATCH,
  classes: 10,
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverage1m: os.loadavg()[0] ?? null, node: process.version },
  pytorch: torchVersion,
  note: 'cpu backend measured for lenet5 only: its conv gradients are scalar JS loops, hopeless for CIFAR CNNs. ' +
    'Per-step times are medians after warm-up; peak RSS is the whole process (wasm heap included). ' +
    'CPU ms is process CPU time per step: on a busy machine, compare by it (ratioByCpuTime).',
  rows,
  raw: { tfjs: results, pytorch: [...torchResults.values()] },
  wallSeconds: (Date.now() - started) / 1000,
};
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(path.join(here, 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');

const fmt = (v: number | null, digits = 1): string => (v === null || Number.isNaN(v) ? '—' : v.toFixed(digits));
const header = ['model', 'backend', 'thr', 'img/s', 'step ms', 'CPU ms', 'peak RSS MB', 'PyTorch img/s', 'ours/PyTorch', 'by CPU time'];
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
  r.ratioByCpuTime === null ? '—' : r.ratioByCpuTime.toFixed(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
for (const r of rows) if (r.error) console.log(`${r.model} ${r.backend}: ${r.error}`);
console.log(`\nbatch ${BATCH}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), load ${fmt(report.machine.loadAverage1m, 2)}; ` +
  `${report.wallSeconds.toFixed(0)} s; written to bench/results/latest.json`);
