/**
 * End-to-end journeys (e2e/). `chromium`: Debian's Chromium against `ffr serve` on a temporary
 * FFR_HOME (started by e2e/global-setup.ts). `electron`: the same app through `_electron`; its specs
 * skip themselves where the Electron binary is absent.
 */
import { defineConfig } from '@playwright/test';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  // Journeys train real (tiny) models; one at a time keeps them from competing for the two cores.
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  // The JSON report is what .ci/run counts (scripts/count-results.mjs).
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  outputDir: 'test-results/e2e',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure', viewport: { width: 1440, height: 900 } },
  projects: [
    {
      name: 'chromium',
      testIgnore: ['**/electron.spec.ts', '**/screenshots.spec.ts'],
      use: { browserName: 'chromium', launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS } },
    },
    {
      name: 'electron',
      testMatch: ['**/electron.spec.ts'],
    },
    // Not a test: regenerates docs/screenshots/*.png; only with FFR_SCREENSHOTS=1
    // (`FFR_SCREENSHOTS=1 npx playwright test --project screenshots`).
    ...(process.env.FFR_SCREENSHOTS === '1'
      ? [
          {
            name: 'screenshots',
            testMatch: ['**/screenshots.spec.ts'],
            timeout: 600_000,
            use: { browserName: 'chromium' as const, launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS } },
          },
        ]
      : []),
  ],
});
