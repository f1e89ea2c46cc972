/**
 * Per-kernel profile of one training step on wasm: `tsx bench/profile.ts [--arch resnet20]
 * [--before] [--tree] [--batch 64]`. --before profiles the backend as shipped (its own kernels) plus a
 * naive scalar-loop filter gradient, since the backend has none; --tree keys nested kernels by
 * their caller (e.g. Conv2DBackpropFilter>Conv2D); --threads N uses the threaded SIMD binary with N
 * pool threads (bench/lib/threaded_wasm.ts). Self time excludes nested kernels.
 */
import { parseArgs } from './lib/args';
import { installKernelTimer } from './lib/kernel_timer';
import { naiveFilterGradConfig } from './lib/naive_filter_grad';
import { setupBackend } from './lib/setup_backend';
import { useThreadedWasm } from './lib/threaded_wasm';
import { makeTrainStep, type BenchArch } from './lib/train_step';
import { tf } from '../src-main/engine/tf';

const args = parseArgs(process.argv.slice(2));
const arch = (args.get('arch') ?? 'resnet20') as BenchArch;
const batch = Number(args.get('batch') ?? 64);
const before = args.has('before');

const threads = args.get('threads');
if (threads) await useThreadedWasm(Number(threads));
await setupBackend('wasm', { trainingKernels: !before });
if (before) tf.registerKernel(naiveFilterGradConfig);
const train = makeTrainStep(arch, batch);
train.step(); // warm-up: operator creation, heap growth
const timer = installKernelTimer('wasm', args.has('tree'));
const t0 = performance.now();
train.step();
const stepMs = performance.now() - t0;
timer.uninstall();
const stats = timer.stats();
const total = stats.reduce((a, s) => a + s.selfMs, 0);
console.log(`${arch} batch ${batch} on wasm (${before ? 'backend as shipped + naive filter grad' : 'with training kernels'}): step ${stepMs.toFixed(0)} ms`);
console.log(`${'kernel'.padEnd(40)} ${'calls'.padStart(6)} ${'self ms'.padStart(9)} ${'share'.padStart(6)}`);
for (const s of stats.slice(0, Number(args.get('top') ?? 15))) {
  console.log(`${s.name.padEnd(40)} ${String(s.calls).padStart(6)} ${s.selfMs.toFixed(1).padStart(9)} ${((100 * s.selfMs) / total).toFixed(1).padStart(5)}%`);
}
process.exit(0); // pthread workers keep the event loop alive
