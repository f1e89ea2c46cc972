/**
 * The desktop shell through Playwright's `_electron`. Skipped (reported as skipped) where the
 * Electron binary is not installed, e.g. CI images without its download.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { ROOT } from './serve';

/**
 * The path `require('electron')` would return, found without calling it: when the binary is
 * missing, electron's index.js tries to download it, which a test run must never do.
 */
function electronBinary(): string | null {
  try {
    const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = path.join(pkgDir, 'path.txt');
    if (!fs.existsSync(pathFile)) return null;
    const rel = fs.readFileSync(pathFile, 'utf8').trim();
    const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist');
    const full = path.join(distDir, rel);
    return fs.existsSync(full) ? full : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const mainEntry = path.join(ROOT, 'out/main/index.js');

test.skip(!binary, 'The Electron binary is not installed here (node_modules/electron has no dist/).');
test.skip(!fs.existsSync(mainEntry), 'The Electron main bundle is not built (npm run build).');

test('the desktop app opens on Projects and creates a project through the preload bridge', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-electron-'));
  const app = await electron.launch({ executablePath: binary!, args: [mainEntry], env: { ...process.env, FFR_HOME: home } });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('connection')).toHaveText(/connected/);
    await page.getByTestId('new-project').first().click();
    await page.getByTestId('project-name').fill('Desktop study');
    await page.getByTestId('project-dialog-submit').click();
    await expect(page.getByTestId('project-title')).toHaveText('Desktop study');
    // No Node in the page: only the contract's bridge.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((globalThis as { ffr?: object }).ffr ?? {}).sort())).toEqual(['call', 'on']);
  } finally {
    await app.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
