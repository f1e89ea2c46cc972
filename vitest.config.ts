import { defineConfig } from 'vitest/config';

// Unit and integration tests. tfjs keeps one global engine per process, so every test file
// runs in its own forked process; two workers match the two cores of the CI machines.
export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-renderer/src/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    // The JSON report is what .ci/run counts (scripts/count-results.mjs).
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    hookTimeout: 120_000,
  },
});
