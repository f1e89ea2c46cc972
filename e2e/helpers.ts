/** Shared bits of the journeys: the served app's address and a few UI steps used by several specs. */
import { expect, type Page } from '@playwright/test';

export function served(): { url: string; origin: string; token: string } {
  const url = process.env.FFR_E2E_URL;
  const origin = process.env.FFR_E2E_ORIGIN;
  const token = process.env.FFR_E2E_TOKEN;
  if (!url || !origin || !token) throw new Error('The global setup did not start ffr serve (FFR_E2E_URL missing).');
  return { url, origin, token };
}

/** Opens a view of the app served at `base` (the printed URL, with its token). */
export async function open(page: Page, base: string, route: string): Promise<void> {
  await page.goto(`${base}#${route}`);
}

/** Calls the API directly (setup only; the journeys themselves go through the UI). */
export async function apiCall<T>(origin: string, token: string, method: string, params: unknown): Promise<T> {
  const res = await fetch(`${origin}/api/${method}?token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (!res.ok || body.error) throw new Error(`${method}: ${body.error?.message ?? res.status}`);
  return body.result as T;
}

export interface TinyRun {
  name: string;
  regularizer: 'ffr' | 'none' | 'l1' | 'group-lasso' | 'slimming';
  trainSize: number;
  epochs: number;
  /** Run it as a Slurm job, with this time limit (the launcher's "Where it runs"). */
  slurmTime?: string;
}

/**
 * Fills the New-run form for a tiny synthetic run (8×8×1, 3 classes, MLP ×0.5, CPU backend) and
 * submits it; ends on the new run's page.
 */
export async function startTinyRun(page: Page, r: TinyRun): Promise<string> {
  await expect(page.getByTestId('new-run-form')).toBeVisible();
  await page.getByTestId('f-dataset').selectOption('builtin:synthetic');
  await page.getByTestId('f-shape-h').fill('8');
  await page.getByTestId('f-shape-w').fill('8');
  await page.getByTestId('f-shape-c').fill('1');
  await page.getByTestId('f-classes').fill('3');
  await page.getByTestId('f-trainSize').fill(String(r.trainSize));
  await page.getByTestId('f-testSize').fill('64');
  await page.getByTestId('f-model').selectOption('mlp');
  await page.getByTestId('f-width').fill('0.5');
  await page.getByTestId('f-epochs').fill(String(r.epochs));
  await page.getByTestId('f-batchSize').fill('16');
  await page.getByTestId('f-backend').selectOption('cpu');
  await page.getByTestId(`f-reg-${r.regularizer}`).click();
  await expect(page.getByTestId(`f-reg-${r.regularizer}`)).toHaveClass(/on/);
  if (r.regularizer === 'ffr') await page.getByTestId('f-lambdaLength').fill('0.05');
  await page.getByTestId('f-name').fill(r.name);
  if (r.slurmTime !== undefined) {
    await page.getByTestId('f-executor').selectOption('slurm');
    await page.getByTestId('f-slurm-time').fill(r.slurmTime);
  }
  await page.getByTestId('start-run').click();
  await expect(page.getByTestId('run-title')).toHaveText(r.name, { timeout: 60_000 });
  const m = /#\/runs\/([^/?]+)/.exec(page.url());
  if (!m) throw new Error(`not on a run page: ${page.url()}`);
  return m[1]!;
}
