import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { describeOnednn } from './onednn/test_util';
import { wasmThreadsWanted } from './select';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'train-steps.ts');

interface ChildResult {
  backend: string;
  tfBackend: string;
  threads: number;
  onednnThreads?: number;
  ompThreads?: number;
  fallbackReason?: string;
  losses: number[];
}

function trainIn(threads: string, backend = 'wasm'): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
    encoding: 'utf8',
    env: { ...process.env, FFR_WASM_THREADS: threads, FFR_TEST_BACKEND: backend },
    timeout: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`child failed (${r.status}): ${r.stderr.slice(-500)}`);
  return JSON.parse(line) as ChildResult;
}

describe('wasm thread count', () => {
  it('trains LeNet-5 on the threaded build with 2 pool threads to the same losses as the single-threaded build', () => {
    const single = trainIn('1');
    const threaded = trainIn('2');
    expect(single).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(threaded.fallbackReason).toBeUndefined();
    expect(threaded).toMatchObject({ backend: 'wasm', threads: 2 });
    expect(threaded.losses[3]!).toBeLessThan(threaded.losses[0]!); // it trains
    for (let i = 0; i < single.losses.length; i++) expect(threaded.losses[i]!).toBeCloseTo(single.losses[i]!, 4);
  });

  it('defaults to min(2, cores) and refuses a malformed FFR_WASM_THREADS in one sentence', () => {
    expect(wasmThreadsWanted({})).toBeGreaterThanOrEqual(1);
    expect(wasmThreadsWanted({})).toBeLessThanOrEqual(2);
    expect(wasmThreadsWanted({ FFR_WASM_THREADS: '3' })).toBe(3);
    expect(() => wasmThreadsWanted({ FFR_WASM_THREADS: 'two' })).toThrow('FFR_WASM_THREADS must be a whole number of threads from 1 to 64, got "two".');
    expect(() => wasmThreadsWanted({ FFR_WASM_THREADS: '0' })).toThrow(/got "0"/);
  });
});

describeOnednn('onednn thread count', () => {
  it('auto picks onednn; oneDNN runs on FFR_WASM_THREADS threads (1 and 2) over the single-threaded wasm build, same losses', () => {
    const one = trainIn('1', 'auto');
    const two = trainIn('2', 'auto');
    expect(one).toMatchObject({ backend: 'onednn', tfBackend: 'onednn', threads: 1, onednnThreads: 1, ompThreads: 1 });
    expect(two).toMatchObject({ backend: 'onednn', tfBackend: 'onednn', threads: 1, onednnThreads: 2, ompThreads: 2 });
    expect(two.losses[3]!).toBeLessThan(two.losses[0]!);
    for (let i = 0; i < one.losses.length; i++) expect(two.losses[i]!).toBeCloseTo(one.losses[i]!, 4);
  });
});
