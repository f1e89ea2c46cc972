/**
 * One benchmark measurement in a fresh process (so peak RSS belongs to this model and backend
 * alone): `tsx bench/worker.ts --backend wasm --arch resnet20 --batch 64 --warmup 1 --steps 5`.
 * Prints one JSON object on stdout.
 */
import { median, parseArgs } from './lib/args';
import { setupBackend, setupWebgpu, type BenchBackend } from './lib/setup_backend';
import { useThreadedWasm } from '../src-main/engine/backend/wasm/threaded';
import { makeTrainStep, type BenchArch } from './lib/train_step';

const args = parseArgs(process.argv.slice(2));
const backend = (args.get('backend') ?? 'wasm') as BenchBackend;
const arch = (args.get('arch') ?? 'resnet20') as BenchArch;
const batch = Number(args.get('batch') ?? 64);
const warmup = Number(args.get('warmup') ?? 1);
const steps = Number(args.get('steps') ?? 5);

// --threads N: for wasm, tfjs's threaded SIMD binary with N pool threads (absent: the single-threaded
// build tfjs uses in Node); for onednn, oneDNN's thread count over the single-threaded build, as the
// trainer runs it (backend/select.ts).
const pool = args.get('threads');
if (pool && Number(pool) > 1 && backend === 'wasm') await useThreadedWasm(Number(pool));
// webgpu reads its loss asynchronously (Node has no synchronous GPU read); wasm, onednn and cpu keep
// the synchronous read the earlier measurements used.
const adapter = backend === 'webgpu' ? await setupWebgpu() : undefined;
const threads = backend === 'webgpu' ? 1 : await setupBackend(backend, { threads: Number(pool ?? 1) });
const train = makeTrainStep(arch, batch);
const step = (): Promise<number> | number => (adapter ? train.stepAsync() : train.step());
let loss = NaN;
for (let i = 0; i < warmup; i++) loss = await step();
// Wall time is what users see; process CPU time per step is also kept because on a shared machine
// it is the load-independent figure (the step is single-threaded, so on an idle machine they agree).
const stepMs: number[] = [];
const cpuMs: number[] = [];
for (let i = 0; i < steps; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  loss = await step();
  stepMs.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuMs.push((c.user + c.system) / 1000);
}
train.dispose();
const medianStepMs = median(stepMs);
process.stdout.write(
  JSON.stringify({
    framework: 'tfjs',
    backend,
    arch,
    batch,
    threads,
    stepMs,
    medianStepMs,
    imagesPerSec: (batch * 1000) / medianStepMs,
    medianCpuMsPerStep: median(cpuMs),
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    finalLoss: loss,
    ...(adapter ? { adapter } : {}),
  }) + '\n',
);
process.exit(0); // a threaded build's pthread workers keep the event loop alive
