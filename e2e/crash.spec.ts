/**
 * A trainer that dies mid-run (FFR_TRAINER_CRASH_AFTER_EPOCH: exit code 3 after epoch 1) is shown
 * as a failed run with the reason, its recorded epoch kept, and the host keeps serving.
 */
import { expect, test } from '@playwright/test';
import { apiCall, open, startTinyRun } from './helpers';
import { startServe, type Served } from './serve';

let server: Served;

test.beforeAll(async () => {
  server = await startServe({ env: { FFR_TRAINER_CRASH_AFTER_EPOCH: '1' } });
});
test.afterAll(async () => {
  await server?.stop();
});

test('a crashed trainer shows as a failed run with its reason', async ({ page }) => {
  const project = await apiCall<{ id: string }>(server.origin, server.token, 'projects.create', { name: 'Crash' });
  await open(page, server.url, `/new-run?project=${project.id}`);
  await startTinyRun(page, { name: 'doomed', regularizer: 'ffr', trainSize: 256, epochs: 3 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'failed', { timeout: 120_000 });
  await expect(page.getByTestId('run-error')).toContainText(/exited with code 3|trainer/i);
  // Epoch 1 was recorded before the crash and stays visible; resume is offered.
  await expect(page.getByTestId('heatmap')).toBeVisible();
  await expect(page.getByTestId('resume-run')).toBeVisible();
  // The host is still alive: navigation and API calls work.
  await page.getByTestId('nav-runs').click();
  await expect(page.getByTestId('run-row-doomed').getByTestId('run-status')).toHaveAttribute('data-status', 'failed');
});
