/** Browser mode is token-protected: without the token the page and the API answer 401, and a page
 *  whose API calls are refused says so instead of showing empty views. A hostile page on another
 *  local port can neither use the event socket nor break the app with a planted cookie. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { served } from './helpers';
import { startServe } from './serve';

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

test('a page on another local port can neither open the event socket nor lock the user out with a planted cookie', async ({ page }) => {
  // A server of its own: the attack used to kill the process, which must not take the shared one down.
  const own = await startServe();
  const ffrOrigin = new URL(own.url).origin;
  const evil = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>another local app</title>');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  try {
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const outcome = await page.evaluate(
      async ({ origin, token }) => {
        // Cookies are per host, not per port: these reach ffr serve with every request from now on.
        // One is not valid percent-encoding (it crashed the cookie parser); the other, on a longer
        // path, is sent before the real token for the app's assets.
        const doc = (globalThis as unknown as { document: { cookie: string } }).document;
        doc.cookie = 'ffr_token=%E0%A4%A; path=/';
        doc.cookie = 'ffr_token=planted; path=/assets';
        await fetch(`${origin}/`, { mode: 'no-cors', credentials: 'include' }).catch(() => undefined);
        // Even holding the token, a socket from this origin is refused (the Origin check).
        const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/events?token=${token}`);
        return new Promise<string>((resolve) => {
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        });
      },
      { origin: ffrOrigin, token: own.token },
    );
    expect(outcome).toBe('refused');
    // The server lives, the page loads its assets and its own socket connects.
    await page.goto(own.url);
    await expect(page.getByTestId('connection')).toHaveText(/connected/);
    await expect(page.getByTestId('unauthorized')).toHaveCount(0);
  } finally {
    evil.close();
    await own.stop();
  }
});
