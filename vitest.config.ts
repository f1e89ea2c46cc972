import { defineConfig } from 'vitest/config';

// Unit and integration tests. tfjs keeps one global engine per process, so every test file
// runs in its own forked process; two workers match the two cores of the CI machines.
export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-renderer/src/**/*.test.ts', 'bench/**/*.test.ts', 'tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    // The JSON report is what .ci/run counts (scripts/count-results.mjs).
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    hookTimeout: 120_000,
    // Trainers and engines in tests use the single-threaded wasm build: the threaded one costs ~1 s of
    // start-up per process; its own test (backend/select.threads.test.ts) sets this explicitly.
    env: { FFR_WASM_THREADS: '1' },
  },
});
