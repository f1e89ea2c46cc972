/**
 * Renaming and deleting a run from its page, against the shared `ffr serve` with a real trainer:
 * a one-epoch run on tiny synthetic data → Delete is disabled while it trains → rename (empty name
 * refused, Escape cancels, Enter saves; the header and the runs list show the new name) → delete
 * through the confirmation → back on the project's list without it; the host no longer knows it.
 */
import { expect, test } from '@playwright/test';
import { apiCall, open, served, startTinyRun } from './helpers';

test('rename a run from its page, then delete it', async ({ page }) => {
  const { url, origin, token } = served();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const project = await apiCall<{ id: string }>(origin, token, 'projects.create', { name: `Run management ${Date.now()}` });
  await open(page, url, `/new-run?project=${project.id}`);
  const runId = await startTinyRun(page, { name: 'manage-me', regularizer: 'none', trainSize: 128, epochs: 1 });

  // While the job manager owns the run, Delete is disabled and says why. (A trainer takes seconds to
  // start, so the run is still queued or running here; skip the check if it was faster than that.)
  const del = page.getByTestId('delete-run');
  const status = await page.getByTestId('run-status').getAttribute('data-status');
  if (status === 'queued' || status === 'running') {
    await expect(del).toBeDisabled();
    await expect(del).toHaveAttribute('title', /cancel it before deleting it/);
  }
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  await expect(del).toBeEnabled();

  // --- rename: an empty name is refused by the field; Escape cancels; Enter saves
  const title = page.getByTestId('run-title');
  await page.getByTestId('rename-run').click();
  const input = page.getByTestId('run-name');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('manage-me');
  await input.fill('   ');
  await input.press('Enter');
  await expect(page.getByTestId('error-run-name')).toHaveText('A run needs a name.');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await input.fill('not this one');
  await input.press('Escape');
  await expect(page.getByTestId('rename-dialog')).toHaveCount(0);
  await expect(title).toHaveText('manage-me');
  await expect(page.getByTestId('rename-run')).toBeFocused();

  await page.getByTestId('rename-run').press('Enter');
  await expect(input).toHaveValue('manage-me');
  await input.fill('renamed run');
  await input.press('Enter');
  await expect(page.getByTestId('rename-dialog')).toHaveCount(0);
  await expect(title).toHaveText('renamed run');

  // The runs list shows the new name (and not the old one).
  await page.locator('.crumbs a').first().click();
  await expect(page.getByTestId('project-title')).toBeVisible();
  await expect(page.getByTestId('run-row-renamed run')).toBeVisible();
  await expect(page.getByTestId('run-row-manage-me')).toHaveCount(0);
  expect((await apiCall<{ run: { name: string } }>(origin, token, 'runs.get', { runId })).run.name).toBe('renamed run');

  // --- delete: the confirmation names the run; Cancel keeps it, confirming deletes it
  await page.getByTestId('run-row-renamed run').getByTestId('run-link').click();
  await expect(title).toHaveText('renamed run');
  await del.click();
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('delete-question')).toContainText('Delete run renamed run?');
  await expect(page.getByTestId('delete-question')).toContainText('This cannot be undone.');
  await expect(page.getByTestId('delete-cancel')).toBeFocused();
  await page.getByTestId('delete-cancel').click();
  await expect(dialog).toHaveCount(0);
  await expect(title).toHaveText('renamed run');

  await del.click();
  await page.getByTestId('confirm-delete').click();
  await page.waitForURL((u) => u.hash === `#/projects/${project.id}`);
  await expect(page.getByTestId('project-title')).toBeVisible();
  await expect(page.getByTestId('run-row-renamed run')).toHaveCount(0);
  await expect(page.getByTestId('empty-state')).toContainText('No runs in this project');

  // The host no longer knows it, and its page says so.
  await expect(apiCall(origin, token, 'runs.get', { runId })).rejects.toThrow(/Unknown run/);
  await open(page, url, `/runs/${runId}`);
  await expect(page.getByTestId('run-not-found')).toContainText('Run not found');

  expect(pageErrors).toEqual([]);
});
