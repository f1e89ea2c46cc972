/**
 * A run launched on Slurm from the browser, against the shared `ffr serve` and a real cluster (the
 * single-node one .ci/run starts; skipped, saying why, where Slurm is not installed or configured):
 * New run → "Where it runs": Slurm, a time limit → the run page shows the executor and the job's id
 * and state live until COMPLETED → the runs table marks the run with its job.
 */
import { expect, test } from '@playwright/test';
import { slurmSkipReason } from '../src-main/services/slurm/testing/cluster';
import { apiCall, open, served, startTinyRun } from './helpers';

const skip = slurmSkipReason();

test(`launch a run on Slurm and follow its job${skip ? ` (skipped: ${skip})` : ''}`, async ({ page }) => {
  test.skip(skip !== null, skip ?? '');
  const { url, origin, token } = served();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const project = await apiCall<{ id: string }>(origin, token, 'projects.create', { name: `Slurm ${Date.now()}` });
  await open(page, url, `/new-run?project=${project.id}`);
  // The Slurm fields appear with the executor.
  await expect(page.getByTestId('new-run-form')).toBeVisible();
  await page.getByTestId('f-executor').selectOption('slurm');
  await expect(page.getByTestId('f-slurm-partition')).toBeVisible();
  await page.getByTestId('f-executor').selectOption('local');
  const runId = await startTinyRun(page, { name: 'on-slurm', regularizer: 'none', trainSize: 128, epochs: 2, slurmTime: '10:00' });

  await expect(page.getByTestId('run-executor')).toHaveText('slurm');
  const badge = page.getByTestId('slurm-job');
  await expect(badge).toContainText(/Slurm \d+ · /, { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  await expect(badge).toContainText('COMPLETED', { timeout: 60_000 });
  const run = (await apiCall<{ run: { slurmJob: { jobId: string; state: string } } }>(origin, token, 'runs.get', { runId })).run;
  await expect(badge).toHaveText(`Slurm ${run.slurmJob.jobId} · COMPLETED`);

  await page.locator('.crumbs a').first().click();
  await expect(page.getByTestId('run-row-on-slurm').getByTestId('slurm-job')).toHaveText(`Slurm ${run.slurmJob.jobId} · COMPLETED`);
  expect(pageErrors).toEqual([]);
});
