/**
 * Per-kernel profile of a training step on wasm or onednn, averaged over --steps steps: `tsx bench/profile.ts
 * [--backend wasm|onednn] [--arch resnet20] [--before] [--tree] [--batch 64] [--steps 3] [--warmup 2] [--threads N]`
 * (for onednn, --threads is oneDNN's thread count; the wasm part stays single-threaded).
 * It also prints the convolution floor (3× the forward convolutions). --before profiles the backend
 * as shipped (its own kernels) plus a naive scalar-loop filter gradient, since the backend has none; --tree keys nested kernels by
 * their caller (e.g. Conv2DBackpropFilter>Conv2D); --threads N uses the threaded SIMD binary with N
 * pool threads (src-main/engine/backend/wasm/threaded.ts). Self time excludes nested kernels.
 */
import { median, parseArgs } from './lib/args';
import { installKernelTimer } from './lib/kernel_timer';
import { naiveFilterGradConfig } from './lib/naive_filter_grad';
import { setupBackend } from './lib/setup_backend';
import { useThreadedWasm } from '../src-main/engine/backend/wasm/threaded';
import { makeTrainStep, type BenchArch } from './lib/train_step';
import { tf } from '../src-main/engine/tf';

const args = parseArgs(process.argv.slice(2));
const arch = (args.get('arch') ?? 'resnet20') as BenchArch;
const batch = Number(args.get('batch') ?? 64);
const before = args.has('before');
const backend = (args.get('backend') ?? 'wasm') as 'wasm' | 'onednn';
if (backend !== 'wasm' && backend !== 'onednn') throw new Error(`--backend must be wasm or onednn, got "${backend}".`);

const threads = args.get('threads');
// onednn runs its oneDNN kernels on N threads over the single-threaded wasm build (as the trainer does).
if (threads && Number(threads) > 1 && backend === 'wasm') await useThreadedWasm(Number(threads));
await setupBackend(backend, { trainingKernels: !before, threads: Number(threads ?? 1) });
if (before) tf.registerKernel(naiveFilterGradConfig);
const train = makeTrainStep(arch, batch);
for (let i = 0; i < Number(args.get('warmup') ?? 2); i++) train.step(); // operator creation, heap growth
// Several profiled steps, per-kernel totals divided by the step count: single steps on a shared VM
// swing by up to 1.7×.
const steps = Number(args.get('steps') ?? 3);
const timer = installKernelTimer(backend, args.has('tree'));
const stepMs: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  train.step();
  stepMs.push(performance.now() - t0);
}
timer.uninstall();
const stats = timer.stats().map((s) => ({ ...s, calls: s.calls / steps, selfMs: s.selfMs / steps }));
const total = stats.reduce((a, s) => a + s.selfMs, 0);
const mode = before ? 'backend as shipped + naive filter grad' : backend === 'onednn' ? 'oneDNN kernels' : 'with training kernels';
console.log(`${arch} batch ${batch} on ${backend} (${mode}, ${threads ?? 1} thread(s)): median step ${median(stepMs).toFixed(0)} ms over ${steps} steps [${stepMs.map((t) => t.toFixed(0)).join(', ')}]`);
console.log(`${'kernel'.padEnd(40)} ${'calls'.padStart(6)} ${'self ms'.padStart(9)} ${'share'.padStart(6)}`);
for (const s of stats.slice(0, Number(args.get('top') ?? 15))) {
  console.log(`${s.name.padEnd(40)} ${String(s.calls).padStart(6)} ${s.selfMs.toFixed(1).padStart(9)} ${((100 * s.selfMs) / total).toFixed(1).padStart(5)}%`);
}
// The convolution ceiling: a training step does the forward convolutions' multiply-adds three times
// (forward, input gradient, filter gradient). At the efficiency XNNPACK reaches on the forward pass,
// no arrangement of the gradients can make a step cheaper than 3× the forward convolutions.
const forwardConv = stats.filter((s) => s.name === 'Conv2D' || s.name === 'FusedConv2D').reduce((a, s) => a + s.selfMs, 0);
console.log(`forward convolutions ${forwardConv.toFixed(0)} ms/step -> convolution floor of a step ≈ ${(3 * forwardConv).toFixed(0)} ms (${((3 * forwardConv * 100) / total).toFixed(0)} % of the profiled step)`);
process.exit(0); // pthread workers keep the event loop alive
