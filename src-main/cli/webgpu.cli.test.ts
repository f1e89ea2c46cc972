/**
 * The webgpu backend end to end, through `node bin/ffr.js` and real trainer processes on this
 * machine's WebGPU adapter (Mesa's llvmpipe through OpenGL ES where there is no GPU): `ffr info`
 * lists it without `auto` taking a software adapter; a tiny run trains on it to the same loss as on
 * wasm with the same seed and data, and is then pruned by activity (probe forward passes on the GPU),
 * swept and exported (verification forward passes on the GPU); a batch the GPU cannot bind is
 * refused with one sentence. Skipped, saying why, only where Dawn finds no adapter at all.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuSkipReason } from '../engine/backend/webgpu/test_util';
import { openStore } from '../store';

const root = path.resolve(import.meta.dirname, '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-cli-webgpu-'));

function ffr(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/ffr.js'), ...args], {
    cwd: root,
    env: { ...process.env, FFR_HOME: home },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(r: { code: number; stdout: string; stderr: string }): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const data = ['--dataset', 'synthetic', '--image-shape', '16x16x1', '--classes', '3', '--train-size', '64', '--test-size', '32'];
const train = (backend: string): string[] =>
  ['train', '--model', 'lenet5', '--width', '0.5', ...data, '--epochs', '2', '--batch-size', '16', '--seed', '1', '--backend', backend, '--json'];

interface TrainResult {
  runId: string;
  status: string;
  backend: string;
  final: { trainLoss: number; testAccuracy: number };
}

const skip = await webgpuSkipReason();
/** The adapter's maxStorageBufferBindingSize, as `ffr info` reports it (first test). */
let bindingLimit = 0;
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe.skipIf(skip !== null)(`ffr on the webgpu backend${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('ffr info lists webgpu with its adapter and limits; auto passes a software adapter by', () => {
    const info = json<{ selected: string; backends: Array<{ name: string; available: boolean; software?: boolean; adapter?: { limits: { maxStorageBufferBindingSize: number } } }> }>(
      ffr('info', '--json'),
    );
    const webgpu = info.backends.find((b) => b.name === 'webgpu')!;
    expect(webgpu.available).toBe(true);
    bindingLimit = webgpu.adapter!.limits.maxStorageBufferBindingSize;
    expect(bindingLimit).toBeGreaterThan(0);
    if (webgpu.software) expect(info.selected).not.toBe('webgpu');
  }, 300_000);

  it('trains to the loss wasm reaches with the same seed, then prunes, sweeps and exports on webgpu', () => {
    const gpu = json<TrainResult>(ffr(...train('webgpu')));
    const wasm = json<TrainResult>(ffr(...train('wasm')));
    expect(gpu.status).toBe('completed');
    expect(gpu.backend).toBe('webgpu');
    expect(Math.abs(gpu.final.trainLoss - wasm.final.trainLoss) / wasm.final.trainLoss).toBeLessThanOrEqual(0.01);
    expect(gpu.final.testAccuracy).toBeCloseTo(wasm.final.testAccuracy, 1);

    const store = openStore(path.join(home, 'ffr.sqlite'));
    try {
      expect(store.runs.get(gpu.runId)?.backend).toBe('webgpu');
    } finally {
      store.close();
    }

    const p = json<{ pruneId: string; params: { before: number; after: number }; accuracy: { before: number; pruned: number } }>(
      ffr('prune', gpu.runId, '--ratio', '0.4', '--criterion', 'activity', '--json'),
    );
    expect(p.params.after).toBeLessThan(p.params.before);
    expect(p.accuracy.before).toBeCloseTo(gpu.final.testAccuracy, 5);

    const s = json<{ points: Array<{ ratio: number; accuracy: number }> }>(ffr('prune', 'sweep', gpu.runId, '--ratios', '0.2,0.5', '--criterion', 'activity', '--json'));
    expect(s.points.map((x) => x.ratio)).toEqual([0.2, 0.5]);

    for (const format of ['onnx', 'tfjs']) {
      const e = json<{ verified: boolean; maxAbsDiff: number }>(ffr('export', p.pruneId, '--format', format, '--out', path.join(home, 'exports', `out-${format}`), '--json'));
      expect(e.verified).toBe(true);
      expect(e.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    }
  }, 600_000);

  it('refuses a batch the GPU cannot bind, in one sentence', () => {
    // LeNet-5's first convolution ('same') on 256×256×3 images: 256·256·6 floats (1.5 MiB) per
    // image, so a batch of 128 needs 192 MiB in one buffer, more than the common 128 MiB binding limit.
    expect(bindingLimit).toBeGreaterThan(0);
    if (128 * 256 * 256 * 6 * 4 <= bindingLimit) return; // a GPU that binds this much: nothing to refuse
    const r = ffr('train', '--model', 'lenet5', '--dataset', 'synthetic', '--image-shape', '256x256x3', '--classes', '2',
      '--train-size', '8', '--test-size', '4', '--epochs', '1', '--batch-size', '128', '--backend', 'webgpu', '--json');
    expect(r.code).not.toBe(0);
    const run = JSON.parse(r.stdout) as { status: string; error: string; epochs: number };
    expect(run).toMatchObject({ status: 'failed', epochs: 0 });
    expect(run.error).toMatch(/^A batch of 128 does not fit this GPU: the output of conv1 \(128×256×256×6 floats, 192 MiB\) is larger than the 128 MiB [^.]* use --batch-size 85 or less\.$/);
  }, 300_000);
});
