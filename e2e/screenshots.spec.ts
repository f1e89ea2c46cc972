/**
 * Regenerates docs/screenshots/*.png from a real `ffr serve` with real runs.
 *
 *   FFR_SCREENSHOTS=1 npx playwright test --project screenshots
 *
 * With FFR_SCREENSHOT_HOME=<data dir> it photographs the runs already there (the project with the
 * most runs); otherwise it trains a small set of runs first on a temporary data directory (LeNet-5
 * on 2,000 bundled MNIST digits: FFR, slimming and no regularizer, then a validation sweep, prunes +
 * fine-tunes and an export), and a small study (FFR at two λ and no regularizer over two seeds).
 * Sweeps and prunes use each run's default importance (DEFAULT_IMPORTANCE), as the Prune page does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_IMPORTANCE, type RegularizerName } from '../src-main/shared/run-config';
import { apiCall } from './helpers';
import { ROOT, startServe, type Served } from './serve';

const OUT = path.join(ROOT, 'docs/screenshots');
let server: Served;

interface RunRow { id: string; name: string; status: string; projectId: string; parentRunId: string | null; config: { regularizer: RegularizerName } }
interface StudyRow { studyId: string; status: string; projectId: string | null }

async function call<T>(method: string, params: unknown): Promise<T> {
  return apiCall<T>(server.origin, server.token, method, params);
}

/** Waits until the given runs (or all runs this script queued) have finished. */
const queued: string[] = [];
async function waitIdle(ids: string[] = queued): Promise<void> {
  for (let i = 0; i < 900; i++) {
    const runs = await call<RunRow[]>('runs.list', {});
    if (!runs.some((r) => ids.includes(r.id) && (r.status === 'queued' || r.status === 'running'))) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Trains the small study the screenshots show (only when no data directory was given). */
async function seed(): Promise<void> {
  const p = await call<{ id: string }>('projects.create', { name: 'LeNet-5 · bundled MNIST' });
  // The bundled digits at a size that trains in under a minute a run: FFR at its default λ over two
  // seeds, FFR at λ_len 2 (it collapses: flagged), network slimming, and no regularizer over two seeds.
  const base = {
    model: 'lenet5', width: 1, dataset: { name: 'mnist' }, trainLimit: 2000, testLimit: 500,
    epochs: 4, batchSize: 64, backend: 'auto',
  };
  const ffr = await call<RunRow>('runs.create', { projectId: p.id, name: 'lenet5 ffr s1', config: { ...base, regularizer: 'ffr', seed: 1 } });
  const ffr2 = await call<RunRow>('runs.create', { projectId: p.id, name: 'lenet5 ffr s2', config: { ...base, regularizer: 'ffr', seed: 2 } });
  const big = await call<RunRow>('runs.create', { projectId: p.id, name: 'lenet5 ffr λ2', config: { ...base, regularizer: 'ffr', ffr: { lambdaLength: 2 } } });
  const slim = await call<RunRow>('runs.create', { projectId: p.id, name: 'lenet5 slimming', config: { ...base, regularizer: 'slimming', lambda: 1e-4 } });
  const none = await call<RunRow>('runs.create', { projectId: p.id, name: 'lenet5 no regularizer s1', config: { ...base, regularizer: 'none', seed: 1 } });
  const none2 = await call<RunRow>('runs.create', { projectId: p.id, name: 'lenet5 no regularizer s2', config: { ...base, regularizer: 'none', seed: 2 } });
  queued.push(ffr.id, ffr2.id, big.id, slim.id, none.id, none2.id);
  await waitIdle();
  await call('runs.setTags', { runId: ffr.id, tags: ['default λ'] });
  await call('runs.setTags', { runId: big.id, tags: ['too strong'] });
  // Each run's default importance (spread for FFR, |γ| for slimming), as the Prune page picks it.
  const importance = (r: RunRow) => DEFAULT_IMPORTANCE[r.config.regularizer];
  // On the run's validation images (200 of the 2,000), with the unpruned reference on the same ones.
  await call('prune.sweep', { runId: ffr.id, options: { criterion: importance(ffr), scope: 'layer', aggregate: 'max', minChannels: 1, valLimit: 200, thresholds: [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5] } });
  const pr = await call<{ prune: { pruneId: string }; child: RunRow | null }>('prune.run', { runId: ffr.id, options: { selection: { criterion: importance(ffr), scope: 'layer', aggregate: 'max', minChannels: 1, threshold: 0.05 }, finetuneEpochs: 3 } });
  const pr2 = await call<{ child: RunRow | null }>('prune.run', { runId: slim.id, options: { selection: { criterion: importance(slim), scope: 'layer', aggregate: 'max', minChannels: 1, threshold: 0.05 }, finetuneEpochs: 3 } });
  for (const c of [pr.child, pr2.child]) if (c) queued.push(c.id);
  await waitIdle();
  await call('export.run', { target: pr.prune.pruneId, format: 'tfjs' });

  // A small study in its own project: FFR at two λ and no regularizer, two seeds each, pruned at the validation knee.
  const sp = await call<{ id: string }>('projects.create', { name: 'LeNet-5 · study' });
  const study = await call<StudyRow>('studies.create', {
    projectId: sp.id, name: 'LeNet-5 · FFR λ vs none',
    base: { model: 'lenet5', dataset: { name: 'mnist' }, trainLimit: 1000, testLimit: 500, epochs: 2, batchSize: 64, backend: 'auto' },
    grid: 'ffr=0.5,2;none', seeds: [1, 2], prune: 'knee=1', finetuneEpochs: 1,
  });
  for (let i = 0; i < 1200; i++) {
    const s = await call<StudyRow>('studies.get', { studyId: study.studyId });
    if (s.status !== 'running' && s.status !== 'queued') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Photographs the page at 1440 wide (full height) and at 1100×700 (full height too: the layout is what matters). */
async function shot(page: Page, name: string, fullHeight = true): Promise<void> {
  for (const [width, height, file] of [[1440, 900, name], [1100, 700, `${name}-1100`]] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(700); // charts draw on the next frame
    if (fullHeight) {
      // Runs in the page (DOM types are not in the node tsconfig, hence the narrow cast).
      type Doc = { querySelector(sel: string): { scrollHeight: number } | null };
      const h = await page.evaluate(() => (globalThis as unknown as { document: Doc }).document.querySelector('.main')?.scrollHeight ?? 900);
      await page.setViewportSize({ width, height: Math.min(4000, Math.max(height, h)) });
      await page.waitForTimeout(500);
    }
    await page.screenshot({ path: path.join(OUT, `${file}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** A study's cells (and their fine-tunes) are runs named after it (`stu-q2ktnq · ffr λ 0.5 · seed 1`). */
const isStudyRun = (r: RunRow) => /^stu-[a-z0-9]+ · /.test(r.name);

/** The project with the most runs outside studies and its showcase: the FFR run with a pruned child, if any. */
async function pickShowcase(): Promise<{ project: { id: string }; mine: RunRow[]; showcase: RunRow; child: RunRow | null }> {
  const runs = await call<RunRow[]>('runs.list', {});
  const count = (id: string) => runs.filter((r) => r.projectId === id && !isStudyRun(r)).length;
  const projects = await call<Array<{ id: string }>>('projects.list', {});
  const project = [...projects].sort((a, b) => count(b.id) - count(a.id))[0]!;
  const mine = runs.filter((r) => r.projectId === project.id && r.status === 'completed');
  const children = mine.filter((r) => r.parentRunId);
  const pruned = mine.filter((r) => children.some((c) => c.parentRunId === r.id));
  const showcase = pruned.find((r) => r.config.regularizer === 'ffr') ?? pruned[0] ?? mine[0]!;
  const child = children.find((c) => c.parentRunId === showcase.id) ?? null;
  return { project, mine, showcase, child };
}

test.beforeAll(async () => {
  test.setTimeout(900_000);
  const home = process.env.FFR_SCREENSHOT_HOME;
  server = await startServe(home ? { home } : {});
  fs.mkdirSync(OUT, { recursive: true });
  if (!home) await seed();
});
test.afterAll(async () => {
  await server?.stop();
});

test('screenshots of every view', async ({ page }) => {
  test.setTimeout(600_000);
  const go = (route: string) => page.goto(`${server.url}#${route}`);
  const { project, mine, showcase, child } = await pickShowcase();
  // Four runs: the showcase, the collapsed one, slimming and a baseline (the fourth column of the config table).
  const tops = mine.filter((r) => !r.parentRunId);
  const compareIds = [showcase, ...tops.filter((r) => r.id !== showcase.id && !/ s2$/.test(r.name))].slice(0, 4).map((r) => r.id);

  await go(`/projects/${project.id}`);
  await expect(page.getByTestId('runs-table')).toBeVisible();
  await expect(page.getByTestId('final-acc').first()).toHaveText(/%/);
  await shot(page, 'runs');
  // Seeds of one config as mean ± std.
  await page.getByTestId('group-seeds').check();
  await expect(page.getByTestId('seed-group').first()).toBeVisible();
  await shot(page, 'runs-grouped');
  await page.getByTestId('group-seeds').uncheck();

  // After opening the project, so the list marks it as the current one.
  await go('/projects');
  await expect(page.getByTestId('projects-table')).toBeVisible();
  await shot(page, 'projects', false);


  await go(`/runs/${showcase.id}`);
  await expect(page.getByTestId('heatmap')).toBeVisible();
  await expect(page.getByTestId('x-step')).toBeEnabled();
  await shot(page, 'run');

  if (child) {
    await go(`/runs/${child.id}`);
    await expect(page.getByTestId('architecture-diff')).toBeVisible();
    await shot(page, 'run-pruned-child');
  }
  const collapsed = mine.find((r) => / λ2$/.test(r.name));
  if (collapsed) {
    await go(`/runs/${collapsed.id}`);
    await expect(page.getByTestId('collapse-banner')).toBeVisible();
    await shot(page, 'run-collapsed', false);
  }

  await go(`/runs/${showcase.id}/prune`);
  await expect(page.getByTestId('prune-slider')).toBeVisible();
  // The stored sweep was measured on validation images, against the unpruned model on the same ones.
  await expect(page.getByTestId('sweep-reference')).toContainText('validation images');
  await shot(page, 'prune');

  // Studies: the list with its launcher (opened from the study's project, which becomes the current
  // one), then the study with its plot.
  const studies = await call<StudyRow[]>('studies.list', {});
  const study = studies.find((s) => s.status === 'completed') ?? studies[0];
  if (study) {
    if (study.projectId) {
      await go(`/projects/${study.projectId}`);
      await expect(page.getByTestId('runs-table')).toBeVisible();
    }
    await go('/studies');
    await expect(page.getByTestId('study-row').first()).toBeVisible();
    await shot(page, 'studies');
    await go(`/studies/${study.studyId}`);
    await expect(page.getByTestId('study-plot-panel').locator('canvas')).toBeVisible();
    await expect(page.getByTestId('study-group-row').first()).toBeVisible();
    await shot(page, 'study');
  }

  await go(`/compare?runs=${compareIds.join(',')}`);
  await expect(page.getByTestId('compare-result')).toBeVisible();
  await shot(page, 'compare');

  await go(`/new-run?project=${project.id}`);
  await expect(page.getByTestId('new-run-form')).toBeVisible();
  await expect(page.getByTestId('f-dataset')).not.toHaveValue('');
  await page.getByTestId('f-lambdaLength').fill('250');
  await shot(page, 'new-run', false);

  await go('/datasets');
  await expect(page.getByTestId('sample-grid')).toBeVisible();
  await shot(page, 'datasets', false);

  await go('/settings');
  await expect(page.getByTestId('backends')).toBeVisible();
  await shot(page, 'settings', false);

  // Live: a short run, photographed while it trains.
  const live = await call<RunRow>('runs.create', {
    projectId: project.id, name: 'live ffr',
    // Enough epochs to still be training while both sizes are photographed (it is cancelled after).
    config: { model: 'lenet5', dataset: { name: 'mnist' }, trainLimit: 4000, testLimit: 500, epochs: 40, batchSize: 64, regularizer: 'ffr' },
  });
  await go(`/runs/${live.id}`);
  await expect(page.getByTestId('heatmap')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('selected-epoch')).toHaveText(/^[2-9] \//, { timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
  await shot(page, 'run-live', false);
  await call('runs.cancel', { runId: live.id });
  await waitIdle([live.id]);
  await call('runs.delete', { runId: live.id });

  // The refusal a page without the token gets from its API calls.
  await page.goto(`${server.origin}/#/projects`);
  await expect(page.getByTestId('unauthorized')).toBeVisible();
  await shot(page, 'unauthorized', false);
});

// Only these two: FFR_SCREENSHOTS=1 npx playwright test --project screenshots --grep "run actions"
test('screenshots of the run actions', async ({ page }) => {
  const { showcase } = await pickShowcase();
  await page.goto(`${server.url}#/runs/${showcase.id}`);
  await expect(page.getByTestId('heatmap')).toBeVisible();
  await expect(page.getByTestId('delete-run')).toBeEnabled();
  await page.waitForTimeout(700);
  // The work area from the top to below the headline numbers: breadcrumbs, name, status, actions.
  type Box = { x: number; y: number; width: number; height: number };
  const main = (await page.locator('.main').boundingBox()) as Box;
  const kpis = (await page.getByTestId('kpis').boundingBox()) as Box;
  await page.screenshot({ path: path.join(OUT, 'run-actions.png'), clip: { x: main.x, y: 0, width: main.width, height: kpis.y + kpis.height + 8 } });

  await page.getByTestId('delete-run').click();
  await expect(page.getByTestId('delete-dialog')).toBeVisible();
  await shot(page, 'run-delete', false);
  await page.getByTestId('delete-cancel').click();
  await expect(page.getByTestId('delete-dialog')).toHaveCount(0);
});
