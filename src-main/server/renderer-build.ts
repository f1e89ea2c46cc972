/**
 * `ffr serve` on a fresh clone: the UI it serves is a Vite build (out/renderer) that a clone does
 * not have. When the sources are there (a checkout, not an installed package) and the build is
 * missing or older than them, it is built before the server starts listening (about 10 s), so
 * README's `ffr serve` line works as written, and a `git pull` never serves yesterday's UI.
 * The build runs in a child process (`scripts/build-renderer.mjs`): Vite never loads in the host.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root (src-main/server → ../..). */
export const CHECKOUT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Folders whose files go into the renderer build: its sources and the shared contract types. */
export function rendererSources(root: string): string[] {
  return [path.join(root, 'src-renderer'), path.join(root, 'src-main', 'shared')];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export type RendererState = 'fresh' | 'missing' | 'stale' | 'no-sources';

/** Whether `outDir` holds a build at least as new as the sources in `root`. */
export function rendererState(outDir: string, root: string = CHECKOUT_ROOT): RendererState {
  const sources = rendererSources(root);
  if (!sources.every((d) => fs.existsSync(d))) return 'no-sources';
  const index = path.join(outDir, 'index.html');
  if (!fs.existsSync(index)) return 'missing';
  const built = fs.statSync(index).mtimeMs;
  return sources.some((d) => newestMtime(d) > built) ? 'stale' : 'fresh';
}

export interface BuildOutcome {
  state: RendererState;
  built: boolean;
  /** Why it could not build (one sentence), when it tried and failed. */
  error?: string;
  seconds?: number;
}

/**
 * Builds the renderer into `outDir` when it is missing or stale. `log` gets one line before and
 * one after (the first start of a fresh clone takes a few seconds and should say why).
 */
export function ensureRendererBuilt(outDir: string, o: { root?: string; log?: (line: string) => void } = {}): BuildOutcome {
  const root = o.root ?? CHECKOUT_ROOT;
  const state = rendererState(outDir, root);
  if (state === 'fresh' || state === 'no-sources') return { state, built: false };
  const script = path.join(root, 'scripts', 'build-renderer.mjs');
  o.log?.(`Building the workbench UI into ${outDir} (${state === 'missing' ? 'not built yet' : 'older than its sources'}; about 10 s)…`);
  const began = Date.now();
  // Built beside the target and moved into place, so two servers starting at once (or a test run
  // next to one) never see or serve a half-written folder.
  const scratch = `${outDir}.build-${process.pid}-${Date.now()}`;
  const r = spawnSync(process.execPath, [script, '--out', scratch], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (Date.now() - began) / 1000;
  if (r.status !== 0 || !fs.existsSync(path.join(scratch, 'index.html'))) {
    fs.rmSync(scratch, { recursive: true, force: true });
    const why = (r.stderr || r.error?.message || '').trim().split('\n').filter(Boolean).pop() ?? `exit code ${r.status}`;
    return { state, built: false, seconds, error: `Building the UI failed (${why.slice(0, 300)}); run \`npm run build\` and start again.` };
  }
  replaceDir(scratch, outDir);
  o.log?.(`Built the UI in ${seconds.toFixed(1)} s.`);
  return { state, built: true, seconds };
}

/** Puts `fresh` where `target` is, removing the old one; if another process got there first, keeps theirs. */
function replaceDir(fresh: string, target: string): void {
  const old = `${target}.old-${process.pid}-${Date.now()}`;
  try {
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.renameSync(fresh, target);
  } catch {
    // Another build was moved in between our two renames: theirs is as new as ours.
    fs.rmSync(fresh, { recursive: true, force: true });
  } finally {
    fs.rmSync(old, { recursive: true, force: true });
  }
}
