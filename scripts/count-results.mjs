#!/usr/bin/env node
// Sums the JSON reports of vitest and Playwright into the one line CI reads: "N passed, N failed".
// A test file that failed to load counts as a failure, so a broken suite cannot pass silently.
import fs from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;

const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);

const vitest = read('test-results/vitest.json');
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + (vitest.numTodoTests ?? 0);
  failed += vitest.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} else {
  failed += 1;
  console.error('No vitest report (test-results/vitest.json): the unit tests did not run.');
}

const pw = read('test-results/playwright.json');
if (pw) {
  passed += pw.stats.expected + (pw.stats.flaky ?? 0);
  failed += pw.stats.unexpected;
  skipped += pw.stats.skipped;
  failed += (pw.errors ?? []).length;
} else if (fs.existsSync('playwright.config.ts')) {
  failed += 1;
  console.error('No Playwright report (test-results/playwright.json): the browser journeys did not run.');
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
