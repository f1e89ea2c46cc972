/**
 * The tracker basics and the layout, in Chromium against the shared `ffr serve` with real trainers
 * on tiny synthetic data (an MLP on the cpu backend):
 * - the runs table: sort, search, tag filter, seeds grouped as mean ± std, parallel coordinates;
 * - every view at 1100×700 without sideways scrolling, tables inside their cards (the runs table
 *   with its MACs and Created columns, Compare with four runs), the project named on a Prune page
 *   opened by its URL;
 * - "waiting for a slot" only while another run holds the slot;
 * - the run page: step charts live, x axis / smoothing / log / PNG / CSV, linked hover, the log kept
 *   across a reload; a pruned child's architecture diff; export folders downloaded as a zip.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { apiCall, open, served } from './helpers';

test.describe.configure({ mode: 'serial' });

interface RunRow { id: string; name: string; status: string }
const call = <T>(method: string, params: unknown): Promise<T> => {
  const { origin, token } = served();
  return apiCall<T>(origin, token, method, params);
};

function tiny(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'mlp', width: 0.5, dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 256, testSize: 64 },
    epochs: 2, batchSize: 16, probeSize: 16, backend: 'cpu', ...over,
  };
}

async function waitDone(ids: string[], timeoutMs = 240_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const runs = await call<RunRow[]>('runs.list', {});
    if (ids.every((id) => runs.some((r) => r.id === id && !['queued', 'running'].includes(r.status)))) return;
    if (Date.now() - start > timeoutMs) throw new Error(`runs ${ids.join(', ')} did not finish`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Nothing on the page is wider than the window (no sideways scrolling). */
async function noSidewaysScroll(page: Page): Promise<void> {
  // Runs in the page (DOM types are not in the node tsconfig, hence the narrow cast).
  type Win = { innerWidth: number; document: { scrollingElement: { scrollWidth: number } } };
  const { sw, iw } = await page.evaluate(() => {
    const w = globalThis as unknown as Win;
    return { sw: w.document.scrollingElement.scrollWidth, iw: w.innerWidth };
  });
  expect(sw).toBeLessThanOrEqual(iw);
}

/** The element (a table) ends inside its card, by its bounding box. */
async function insideCard(page: Page, testId: string): Promise<void> {
  type Box = { getBoundingClientRect(): { right: number }; closest(sel: string): Box | null };
  const r = await page.getByTestId(testId).evaluate((el) => {
    const e = el as unknown as Box;
    return { right: e.getBoundingClientRect().right, card: e.closest('.panel')!.getBoundingClientRect().right };
  });
  expect(r.right, `${testId} ends at ${r.right}, its card at ${r.card}`).toBeLessThanOrEqual(r.card + 0.5);
}

let projectId = '';
let projectName = '';
const ids: Record<string, string> = {};

test('runs table: sort, search, tags, seeds as mean ± std, parallel coordinates, all at 1100×700', async ({ page }) => {
  test.setTimeout(360_000);
  projectName = `Tracker ${Date.now()}`;
  projectId = (await call<{ id: string }>('projects.create', { name: projectName })).id;
  const make = async (name: string, config: Record<string, unknown>) => (ids[name] = (await call<RunRow>('runs.create', { projectId, name, config })).id);
  await make('ffr s1', tiny({ regularizer: 'ffr', ffr: { lambdaLength: 0.05 }, seed: 1 }));
  await make('ffr s2', tiny({ regularizer: 'ffr', ffr: { lambdaLength: 0.05 }, seed: 2 }));
  await make('none s1', tiny({ regularizer: 'none', seed: 1 }));
  await make('l1 s1', tiny({ regularizer: 'l1', seed: 1 }));
  await waitDone(Object.values(ids));
  await call('runs.setTags', { runId: ids['none s1'], tags: ['baseline'] });

  await page.setViewportSize({ width: 1100, height: 700 });
  await open(page, served().url, `/projects/${projectId}`);
  await expect(page.getByTestId('run-row-l1 s1').getByTestId('final-acc')).toHaveText(/%/);
  // Validation accuracy beside test (every run has a validation split).
  await expect(page.getByTestId('run-row-l1 s1').getByTestId('val-acc')).toHaveText(/^\d+\.\d\d%$/);
  await noSidewaysScroll(page);
  await insideCard(page, 'runs-table');
  // MACs and Created are on screen, not behind a scroll.
  for (const h of ['MACs', 'Created']) {
    const box = await page.getByTestId('runs-table').locator('th', { hasText: h }).boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1100);
  }

  // Sort by final accuracy, best first; then the other way.
  await page.getByTestId('sort-finalAcc').click();
  const accs = async () => (await page.getByTestId('final-acc').allTextContents()).map((t) => Number.parseFloat(t));
  const desc = await accs();
  expect(desc).toEqual([...desc].sort((a, b) => b - a));
  await page.getByTestId('sort-finalAcc').click();
  const asc = await accs();
  expect(asc).toEqual([...asc].sort((a, b) => a - b));

  // Search and the tag filter.
  await page.getByTestId('runs-search').fill('ffr');
  await expect(page.getByTestId('runs-count')).toHaveText('2 of 4 runs');
  await page.getByTestId('runs-search').fill('');
  await page.getByTestId('run-row-none s1').getByRole('button', { name: 'baseline' }).click();
  await expect(page.getByTestId('runs-count')).toHaveText('1 of 4 runs');
  await page.getByTestId('runs-clear-filters').click();
  await expect(page.getByTestId('runs-count')).toHaveText('4 runs');

  // Seeds of one config: one row, mean ± std over the two finished runs.
  await page.getByTestId('group-seeds').check();
  await expect(page.getByTestId('seed-group')).toHaveCount(1);
  await expect(page.getByTestId('seed-count')).toHaveText('2 seeds (1, 2)');
  await expect(page.getByTestId('group-final')).toHaveText(/^\d+\.\d±\d+\.\d%$/);
  // Grouped, the wider mean ± std cells still leave Created on screen.
  await insideCard(page, 'runs-table');
  const created = await page.getByTestId('runs-table').locator('th', { hasText: 'Created' }).boundingBox();
  expect(created!.x + created!.width).toBeLessThanOrEqual(1100);
  await page.getByTestId('group-seeds').uncheck();

  // λ × accuracy × sparsity over the finished runs.
  await expect(page.getByTestId('parallel-panel')).toBeVisible();
  await noSidewaysScroll(page);
});

test('Compare at 1100×700: four runs, losses named, tables inside their cards', async ({ page }) => {
  await page.setViewportSize({ width: 1100, height: 700 });
  await open(page, served().url, `/compare?runs=${['ffr s1', 'ffr s2', 'none s1', 'l1 s1'].map((n) => ids[n]).join(',')}`);
  await expect(page.getByTestId('compare-result')).toBeVisible();
  await noSidewaysScroll(page);
  await insideCard(page, 'compare-metrics');
  // Total loss and cross-entropy side by side: they differ for a regularized run, not for none.
  const row = (name: string) => page.getByTestId('compare-metrics').locator('tr', { hasText: name });
  const num = async (name: string, id: string) => Number(await row(name).getByTestId(id).textContent());
  expect(await num('ffr s1', 'compare-total-loss')).toBeGreaterThan(await num('ffr s1', 'compare-ce'));
  expect(await num('none s1', 'compare-total-loss')).toBe(await num('none s1', 'compare-ce'));
  // Validation accuracy beside test.
  await expect(row('ffr s1').getByTestId('compare-val-acc')).toHaveText(/^\d+\.\d\d%$/);
  // The config table shows every run's column inside its card.
  await page.getByTestId('only-differences').uncheck();
  const headers = page.getByTestId('compare-config').locator('thead th');
  await expect(headers).toHaveCount(5);
  const card = (await page.getByTestId('compare-config').boundingBox())!;
  const last = (await headers.nth(4).boundingBox())!;
  expect(last.x + last.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
});

test('Settings at 1100×700: the backends table (paths, adapter names) stays inside its card', async ({ page }) => {
  await page.setViewportSize({ width: 1100, height: 700 });
  await open(page, served().url, '/settings');
  await expect(page.getByTestId('backends')).toBeVisible();
  await noSidewaysScroll(page);
  await insideCard(page, 'backends');
});

test('New run at 1100×700 and 1440×900 does not scroll sideways', async ({ page }) => {
  for (const [w, h] of [[1100, 700], [1440, 900]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await open(page, served().url, `/new-run?project=${projectId}`);
    await expect(page.getByTestId('new-run-form')).toBeVisible();
    await noSidewaysScroll(page);
  }
});

test('"waiting for a slot" only while another run holds it; a lone run says it is starting', async ({ page }) => {
  test.setTimeout(240_000);
  await open(page, served().url, `/projects/${projectId}`);
  await expect(page.getByTestId('runs-table')).toBeVisible();
  const labels = { a: new Set<string>(), b: new Set<string>() };
  const a = await call<RunRow>('runs.create', { projectId, name: 'slot a', config: tiny({ epochs: 6, dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 1024, testSize: 64 } }) });
  let b: RunRow | null = null;
  for (let i = 0; i < 400; i++) {
    for (const [key, name] of [['a', 'slot a'], ['b', 'slot b']] as const) {
      const label = page.getByTestId(`run-row-${name}`).getByTestId('queued-label');
      // allTextContents does not wait: the label may be gone (the run started) between two looks.
      for (const t of await label.allTextContents()) labels[key].add(t);
    }
    const rows = await call<RunRow[]>('runs.list', { projectId });
    if (!b && rows.find((r) => r.id === a.id)?.status === 'running') b = await call<RunRow>('runs.create', { projectId, name: 'slot b', config: tiny() });
    if (b && rows.find((r) => r.id === b!.id)?.status === 'running') break;
    await page.waitForTimeout(150);
  }
  expect(b).not.toBeNull();
  expect([...labels.a]).not.toContain('waiting for a slot');
  expect([...labels.b]).toContain('waiting for a slot');
  await waitDone([a.id, b!.id]);
});

test('run page: live step charts, their tools, linked hover, and the log kept across a reload', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const run = await call<RunRow>('runs.create', {
    // 5,120 training images, a fifth held out for validation: 4,096 left to train on, 256 steps an epoch.
    projectId, name: 'live steps', config: tiny({ regularizer: 'ffr', epochs: 6, valFraction: 0.2, dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 5120, testSize: 64 } }),
  });
  await open(page, served().url, `/runs/${run.id}`);
  // Step rows arrive while it trains: the step axis is there (and the loss drawn) before the run ends.
  await expect
    .poll(async () => [await page.getByTestId('x-step').isEnabled(), await page.getByTestId('run-status').getAttribute('data-status')], { timeout: 120_000 })
    .toEqual([true, 'running']);
  await expect(page.getByTestId('chart-loss').locator('canvas')).toBeVisible();

  await page.getByTestId('x-epoch').click();
  await expect(page.getByTestId('x-epoch')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('x-time').click();
  await page.getByTestId('x-step').click();
  await page.getByTestId('smoothing').fill('0.9');
  const log = page.getByTestId('chart-loss').getByTestId('chart-log');
  await log.click();
  await expect(log).toHaveAttribute('aria-pressed', 'true');

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed', { timeout: 240_000 });
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-loss').getByTestId('chart-csv').click()]);
  expect(csv.suggestedFilename()).toBe('loss.csv');
  const lines = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\n');
  expect(lines[0]).toBe('series,step,epoch,time,value,smoothed');
  // 256 steps an epoch, recorded every 5th (about 50 rows an epoch) and at each epoch's last step:
  // 52 rows an epoch, 6 epochs; plus 6 test-loss points.
  expect(lines.filter((l) => l.startsWith('train total loss,'))).toHaveLength(6 * 52);
  expect(lines.filter((l) => l.startsWith('test loss,'))).toHaveLength(6);
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-accuracy').getByTestId('chart-png').click()]);
  expect(png.suggestedFilename()).toBe('accuracy.png');
  expect(fs.readFileSync((await png.path())!).subarray(1, 4).toString('latin1')).toBe('PNG');

  // Linked hover: the pointer over the loss chart shows a tooltip in the accuracy chart too.
  const loss = (await page.getByTestId('chart-loss').locator('canvas').first().boundingBox())!;
  await page.mouse.move(loss.x + loss.width * 0.6, loss.y + loss.height * 0.5);
  await expect(page.getByTestId('chart-accuracy').locator('div[style*="z-index: 9999999"]').first()).toBeVisible();

  // The log, then again after a reload (kept with the run, not only streamed).
  const logLines = page.getByTestId('run-log').getByTestId('log-line');
  await expect(logLines.first()).toContainText('Training on the cpu backend.');
  await expect(logLines.last()).toContainText('Completed.');
  const before = await logLines.count();
  await page.reload();
  await expect(page.getByTestId('run-log').getByTestId('log-line')).toHaveCount(before);
  expect(pageErrors).toEqual([]);
});

test('Prune page by URL names the project; its tables fit at 1100; exports download; the child shows its architecture diff', async ({ page }) => {
  test.setTimeout(300_000);
  const source = ids['ffr s1']!;
  const { prune, child } = await call<{ prune: { pruneId: string }; child: RunRow }>('prune.run', {
    runId: source, options: { selection: { criterion: 'l2', scope: 'layer', ratio: 0.5, aggregate: 'max', minChannels: 1 }, finetuneEpochs: 1 },
  });
  await waitDone([child.id]);
  await call('export.run', { target: prune.pruneId, format: 'tfjs' });

  // A fresh page (no remembered project) opened on the Prune page.
  await page.setViewportSize({ width: 1100, height: 700 });
  await page.goto(`${served().url}#/runs/${source}/prune`);
  await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('current-project')).toHaveText(projectName);
  await expect(page.getByTestId('prunes-table')).toBeVisible();
  await noSidewaysScroll(page);
  await insideCard(page, 'prunes-table');
  await insideCard(page, 'exports-table');

  const folder = page.getByTestId('export-folder').first();
  const [zip] = await Promise.all([page.waitForEvent('download'), folder.getByTestId('download-zip').click()]);
  expect(zip.suggestedFilename()).toMatch(/^exp-[0-9a-z]+-tfjs\.zip$/);
  expect(fs.readFileSync((await zip.path())!).subarray(0, 2).toString('latin1')).toBe('PK');
  await folder.getByTestId('copy-path').click();
  await expect(folder).toContainText('Path copied.');

  await open(page, served().url, `/runs/${child.id}`);
  const diff = page.getByTestId('architecture-diff');
  await expect(diff).toBeVisible();
  // ratio 0.5 per layer on fc1 (a 0.5-wide MLP): half its units removed, by index.
  await expect(diff.getByTestId('diff-fc1')).toContainText('→');
  await expect(diff.getByTestId('diff-fc1').getByTestId('removed-indices')).toHaveText(/^\d+(–\d+)?(, \d+(–\d+)?)*$/);
  await noSidewaysScroll(page);
});
