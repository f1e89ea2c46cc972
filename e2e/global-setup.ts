/**
 * Builds the renderer when out/renderer is missing or older than its sources, then starts one
 * `ffr serve` on a temporary FFR_HOME for the Chromium journeys. Its URL and token reach the tests
 * through the environment (workers inherit it); the returned function stops it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startServe } from './serve';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function rendererStale(): boolean {
  const index = path.join(ROOT, 'out/renderer/index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  return newestMtime(path.join(ROOT, 'src-renderer')) > built || newestMtime(path.join(ROOT, 'src-main/shared')) > built;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (rendererStale()) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-renderer.mjs')], { cwd: ROOT, stdio: 'inherit' });
  }
  const served = await startServe();
  process.env.FFR_E2E_URL = served.url;
  process.env.FFR_E2E_ORIGIN = served.origin;
  process.env.FFR_E2E_TOKEN = served.token;
  process.env.FFR_E2E_HOME = served.home;
  return () => served.stop();
}
