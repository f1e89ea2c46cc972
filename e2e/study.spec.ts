/**
 * A tiny study through the Study pages, against the shared `ffr serve` with real trainers: the grid
 * launcher refuses a bad grid with the host's sentence, then starts FFR + none × one seed on the
 * bundled synthetic data → progress → the plot, the groups (λ chosen on validation) and the cells →
 * CSV and PNG downloads → the cell's runs are ordinary runs. Screenshots at 1440×900 and 1100×700.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { apiCall, open, served } from './helpers';

test('study: grid launcher → progress → plot, groups and cells → CSV and PNG', async ({ page }) => {
  test.setTimeout(300_000);
  const { url, origin, token } = served();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const project = await apiCall<{ id: string }>(origin, token, 'projects.create', { name: `Study ${Date.now()}` });
  await open(page, url, `/projects/${project.id}`);
  await page.getByTestId('nav-studies').click();
  await expect(page.getByTestId('study-launcher')).toBeVisible();

  await page.getByTestId('study-model').selectOption('mlp');
  await page.getByTestId('study-dataset').selectOption('builtin:synthetic');
  await page.getByTestId('study-epochs').fill('1');
  await page.getByTestId('study-train-limit').fill('256');
  await page.getByTestId('study-seeds').fill('1');
  await page.getByTestId('study-rule').selectOption('macs');
  await page.getByTestId('study-rule-value').fill('0.5');
  await page.getByTestId('study-finetune').fill('1');
  await page.getByTestId('study-name').fill('tiny study');

  // A grid the host refuses: its sentence, and nothing created.
  await page.getByTestId('study-grid').fill('ffr=0.05;dropout=0.1');
  await page.getByTestId('study-start').click();
  await expect(page.getByText('"dropout" is not a regularizer')).toBeVisible();
  expect(await apiCall<unknown[]>(origin, token, 'studies.list', { projectId: project.id })).toEqual([]);

  await page.getByTestId('study-grid').fill('ffr=0.05;none');
  await page.getByTestId('study-start').click();
  await expect(page.getByTestId('study-title')).toHaveText('tiny study', { timeout: 60_000 });
  const studyId = /#\/studies\/([^/?]+)/.exec(page.url())![1]!;
  await expect(page.getByTestId('study-status')).toHaveText(/running|completed/);
  await expect(page.getByTestId('study-status')).toHaveText('completed', { timeout: 240_000 });
  await expect(page.getByTestId('study-progress')).toHaveText('2 / 2 cells');

  // The plot, the groups with the λ chosen on validation, every cell done.
  await expect(page.getByTestId('study-plot-panel').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('study-group-row')).toHaveCount(2);
  await expect(page.getByTestId('study-group-row').filter({ hasText: 'chosen' })).toHaveCount(2);
  await expect(page.getByTestId('study-cell-row')).toHaveCount(2);
  await expect(page.locator('[data-testid="study-cell-row"][data-state="done"]')).toHaveCount(2);

  // At 1100×700 the cells table (fourteen columns) ends inside its card.
  await page.setViewportSize({ width: 1100, height: 700 });
  const cells = await page.getByTestId('study-cells-table').evaluate((el) => {
    type Box = { getBoundingClientRect(): { right: number }; closest(sel: string): Box | null };
    const e = el as unknown as Box;
    return { table: e.getBoundingClientRect().right, card: e.closest('.panel')!.getBoundingClientRect().right };
  });
  expect(cells.table).toBeLessThanOrEqual(cells.card + 0.5);
  await page.setViewportSize({ width: 1440, height: 900 });

  // Downloads: the CSV has a row per cell; the PNG is a PNG.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('study-csv').click()]);
  expect(csv.suggestedFilename()).toBe(`${studyId}.csv`);
  const csvText = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\n');
  expect(csvText).toHaveLength(3);
  expect(csvText[1]).toMatch(/^0,ffr,ffr,0\.05,1,done,run-/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('study-png').click()]);
  expect(png.suggestedFilename()).toBe(`${studyId}.png`);
  expect(fs.readFileSync((await png.path())!).subarray(1, 4).toString()).toBe('PNG');

  // The cells' runs are ordinary runs: the link opens the run page.
  await page.getByTestId('study-cell-row').first().getByRole('link').click();
  await expect(page.getByTestId('run-title')).toContainText(`${studyId} · ffr`);

  // The studies list shows it.
  await page.getByTestId('nav-studies').click();
  await expect(page.getByTestId('study-row').filter({ hasText: studyId })).toContainText('completed');

  if (process.env.FFR_STUDY_SHOTS) {
    const out = path.join(process.env.FFR_STUDY_SHOTS);
    fs.mkdirSync(out, { recursive: true });
    await open(page, url, `/studies/${studyId}`);
    await expect(page.getByTestId('study-plot-panel').locator('canvas')).toBeVisible();
    for (const [w, h] of [[1440, 900], [1100, 700]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(600);
      await page.screenshot({ path: path.join(out, `tiny-study-${w}x${h}.png`) });
    }
  }
  expect(pageErrors).toEqual([]);
});
