/**
 * Single-threaded SIMD wasm (what tfjs uses in Node) against the threaded SIMD binary with 1 and 2
 * pool threads: `tsx bench/threads.ts [--rounds 2]`. Each configuration runs in its own process,
 * interleaved, and reports a forward 3×3 conv (64×32×32×16) and a ResNet-20 training step.
 * With --child it measures one configuration and prints JSON.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import { median, parseArgs } from './lib/args';
import { setupBackend } from './lib/setup_backend';
import { useThreadedWasm } from '../src-main/engine/backend/wasm/threaded';
import { makeTrainStep } from './lib/train_step';
import { tf } from '../src-main/engine/tf';

const args = parseArgs(process.argv.slice(2));

async function child(mode: string): Promise<void> {
  const t0 = performance.now();
  if (mode !== 'simd') await useThreadedWasm(mode === 'threaded-2' ? 2 : 1);
  const threads = await setupBackend('wasm');
  const initMs = performance.now() - t0;
  const x = tf.randomNormal([64, 32, 32, 16]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
  const time = (f: () => void, n: number): number => {
    f();
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      f();
      ts.push(performance.now() - s);
    }
    return median(ts);
  };
  const convMs = time(() => tf.conv2d(x, w, 1, 'same').dispose(), 9);
  const train = makeTrainStep('resnet20', 64);
  const stepMs = time(() => train.step(), 3);
  console.log(JSON.stringify({ mode, threads, initMs, convMs, stepMs }));
  process.exit(0); // pthread workers keep the event loop alive
}

if (args.has('child')) {
  await child(args.get('child')!);
} else {
  const rounds = Number(args.get('rounds') ?? 2);
  const modes = ['simd', 'threaded-1', 'threaded-2'];
  const results = new Map<string, Array<{ convMs: number; stepMs: number; threads: number; initMs: number }>>();
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const p = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode], { encoding: 'utf8', timeout: 300_000 });
      const line = p.stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) {
        console.log(`${mode}: failed (${p.status}) ${p.stderr.slice(-300)}`);
        continue;
      }
      const m = JSON.parse(line) as { convMs: number; stepMs: number; threads: number; initMs: number };
      results.set(mode, [...(results.get(mode) ?? []), m]);
      console.log(`round ${r + 1} ${mode.padEnd(11)} threads ${m.threads}  init ${m.initMs.toFixed(0)} ms  conv ${m.convMs.toFixed(1)} ms  resnet20 step ${m.stepMs.toFixed(0)} ms  (load ${os.loadavg()[0]!.toFixed(1)})`);
    }
  }
  for (const [mode, ms] of results) {
    console.log(`${mode.padEnd(11)} median conv ${median(ms.map((m) => m.convMs)).toFixed(1)} ms, resnet20 step ${median(ms.map((m) => m.stepMs)).toFixed(0)} ms`);
  }
}
