/** Browser mode is token-protected: without the token the page and the API answer 401, and a page
 *  whose API calls are refused says so instead of showing empty views. */
import { expect, test } from '@playwright/test';
import { served } from './helpers';

test('without the token the page and the API are refused with 401', async ({ page, request }) => {
  const { origin } = served();
  const res = await page.goto(`${origin}/`);
  expect(res?.status()).toBe(401);
  await expect(page.locator('body')).toContainText(/token/i);

  const api = await request.post(`${origin}/api/projects.list`, { data: {} });
  expect(api.status()).toBe(401);
  expect((await api.json()) as unknown).toMatchObject({ error: { code: 'unauthorized' } });

  const wrong = await request.post(`${origin}/api/projects.list?token=not-the-token-at-all`, { data: {} });
  expect(wrong.status()).toBe(401);
});

test('a page whose API calls are refused shows the 401 instead of empty views', async ({ page }) => {
  const { origin, url } = served();
  // Opening the printed URL sets the cookie for static files; the API still needs the token itself.
  await page.goto(url);
  await expect(page.getByTestId('connection')).toHaveText(/connected/);
  await page.goto(`${origin}/#/projects`);
  await expect(page.getByTestId('unauthorized')).toBeVisible();
  await expect(page.getByTestId('unauthorized')).toContainText('401');
  await expect(page.getByTestId('connection')).toHaveText(/401/);
});
