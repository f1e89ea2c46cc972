/**
 * The main journey, in one browser session as a user would do it: create a project → start an FFR
 * run and a baseline run → watch live progress (and move around the app while they train) → open
 * the heatmap → compare the two → prune and fine-tune → export with verification.
 */
import { expect, test } from '@playwright/test';
import { kneeIndex } from '../src-main/shared/knee';
import { apiCall, open, served, startTinyRun } from './helpers';

test.describe.configure({ mode: 'serial' });

test('project → FFR + baseline runs → live progress → heatmap → compare → prune + fine-tune → export', async ({ page }) => {
  test.setTimeout(420_000);
  const { url, origin, token } = served();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // --- create a project
  await open(page, url, '/projects');
  await expect(page.getByTestId('connection')).toHaveText(/connected/);
  await page.getByTestId('new-project').first().click();
  await page.getByTestId('project-name').fill('E2E study');
  await page.getByTestId('project-dialog-submit').click();
  await expect(page.getByTestId('project-title')).toHaveText('E2E study');

  // --- the form refuses a bad value before anything is sent, with the reason by the field
  await page.getByTestId('new-run').click();
  await page.getByTestId('f-epochs').fill('0');
  await expect(page.getByTestId('error-f-epochs')).toBeVisible();
  await expect(page.getByTestId('start-run')).toBeDisabled();

  // --- FFR run
  const ffrId = await startTinyRun(page, { name: 'ffr-run', regularizer: 'ffr', trainSize: 1024, epochs: 3 });

  // --- live progress: the progress strip shows while it trains, epochs arrive as events
  await expect(page.getByTestId('live-progress')).toBeVisible();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running', { timeout: 90_000 });
  await expect(page.getByTestId('progress-fraction')).not.toHaveText('0%', { timeout: 60_000 });

  // --- baseline run, queued behind the FFR run (one trainer at a time); navigation mid-run
  await page.getByTestId('nav-new-run').click();
  await startTinyRun(page, { name: 'baseline-run', regularizer: 'none', trainSize: 512, epochs: 2 });
  await expect(page.getByTestId('active-jobs')).toBeVisible();
  const t0 = Date.now();
  await page.getByTestId('nav-datasets').click();
  await expect(page.getByTestId('datasets-table')).toBeVisible({ timeout: 5_000 });
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('backends')).toBeVisible({ timeout: 5_000 });
  // WebGPU: Dawn's adapters, each labelled software or hardware (CI has Mesa's llvmpipe), or why none.
  const webgpu = page.getByTestId('backend-webgpu');
  await expect(webgpu).toBeVisible();
  if ((await webgpu.getAttribute('data-available')) === 'true') await expect(webgpu.getByTestId('gpu-adapters')).toContainText(/(software|hardware)/);
  else await expect(webgpu).toContainText('Dawn');
  await page.getByTestId('nav-runs').click();
  await expect(page.getByTestId('run-row-ffr-run')).toBeVisible({ timeout: 5_000 });
  await expect(page.getByTestId('run-row-baseline-run')).toBeVisible();
  // Still training while we moved around: the UI did not wait for the trainer.
  await expect(page.getByTestId('active-jobs')).toBeVisible();
  expect(Date.now() - t0).toBeLessThan(15_000);

  // --- both finish; statuses update in place from events
  await expect(page.getByTestId('run-row-ffr-run').getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 180_000 });
  await expect(page.getByTestId('run-row-baseline-run').getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 180_000 });

  // --- heatmap with its epoch scrubber
  await page.getByTestId('run-row-ffr-run').getByTestId('run-link').click();
  await expect(page.getByTestId('heatmap')).toBeVisible();
  await expect(page.getByTestId('selected-epoch')).toHaveText('3 / 3');
  await page.getByTestId('epoch-scrubber').fill('0');
  await expect(page.getByTestId('selected-epoch')).toHaveText('1 / 3');
  await expect(page.getByTestId('layer-table')).toContainText('fc1');
  await expect(page.getByTestId('chart-ffr-length')).toBeVisible();

  // --- compare the two
  await page.getByTestId('nav-runs').click();
  await page.getByTestId('run-row-ffr-run').getByTestId('pick-run').check();
  await page.getByTestId('run-row-baseline-run').getByTestId('pick-run').check();
  await page.getByTestId('compare-selected').click();
  await expect(page.getByTestId('compare-result')).toBeVisible();
  await expect(page.getByTestId('compare-metrics')).toContainText('ffr-run');
  await expect(page.getByTestId('compare-metrics')).toContainText('baseline-run');
  const config = page.getByTestId('compare-config').locator('tbody tr');
  const diffRows = await config.count();
  await expect(page.getByTestId('compare-config')).toContainText('regularizer');
  await page.getByTestId('only-differences').uncheck();
  await expect.poll(() => config.count()).toBeGreaterThan(diffRows);
  await expect(page.getByTestId('compare-pareto')).toBeVisible();

  // --- prune: sweep, look at the projection, commit with a fine-tune
  await page.goto(`${url}#/runs/${ffrId}`);
  await page.getByTestId('open-prune').click();
  await page.getByTestId('run-sweep').click();
  await expect(page.getByTestId('prune-slider')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('proj-params')).toHaveText(/\d/);
  // The sweep is measured on validation images with the unpruned reference on the same images, and
  // the slider sits at its knee (the last point within 1 pt of that reference), not at the first point.
  const [stored] = await apiCall<Array<{ reference: { split: string; accuracy: number }; points: Array<{ threshold: number; accuracy: number }> }>>(origin, token, 'prune.sweeps', { runId: ffrId });
  expect(stored!.reference.split).toBe('val');
  const expectedKnee = Math.max(0, kneeIndex(stored!.points, stored!.reference.accuracy));
  await expect(page.getByTestId('prune-slider')).toHaveValue(String(expectedKnee));
  await expect(page.getByTestId('sweep-reference')).toContainText('validation images');
  await expect(page.getByTestId('sweep-history').locator('option')).toHaveCount(1);
  await page.getByTestId('prune-slider').fill('3');
  await expect(page.getByTestId('prune-point')).toHaveText('0.02');
  await page.getByTestId('finetune-epochs').fill('1');
  await page.getByTestId('prune-commit').click();
  // The fine-tune child opens and trains.
  await page.waitForURL((u) => /^#\/runs\/[^/]+$/.test(u.hash) && !u.hash.includes(ffrId), { timeout: 120_000 });
  await expect(page.getByTestId('run-title')).toBeVisible();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 180_000 });

  // --- export the pruned, fine-tuned model; the verification result is shown
  await page.goto(`${url}#/runs/${ffrId}/prune`);
  await expect(page.getByTestId('prune-row')).toHaveCount(1);
  await page.getByTestId('export-prune').click();
  await expect(page.getByTestId('export-result')).toContainText('Verified', { timeout: 120_000 });
  await expect(page.getByTestId('export-result-diff')).toHaveText(/\d\.\d+e[-+]\d+/);
  await expect(page.getByTestId('exports-table')).toContainText('tfjs');

  expect(pageErrors).toEqual([]);
});
