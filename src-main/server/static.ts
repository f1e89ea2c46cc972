/**
 * Serving the built renderer (`electron-vite build` writes it to out/renderer). Files only from
 * inside that folder, by URL path and by real path (no `..`, no symbolic link out of it); unknown
 * paths without an extension fall back to index.html (client routes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** out/renderer of this checkout (src-main/server → ../../out/renderer). */
export function defaultRendererDir(): string {
  return fileURLToPath(new URL('../../out/renderer', import.meta.url));
}

export function rendererBuilt(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  file: string;
  type: string;
  /** index.html must not be cached (it names the hashed assets of the current build). */
  cacheable: boolean;
}

/** Resolves a URL path to a file in `root`, or null (traversal and missing files alike). */
export function resolveStatic(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = path.resolve(root);
  const candidate = path.resolve(base, `.${path.posix.normalize(`/${decoded}`)}`);
  if (candidate !== base && !candidate.startsWith(base + path.sep)) return null;
  let realBase: string;
  try {
    realBase = fs.realpathSync.native(base);
  } catch {
    return null;
  }
  const asFile = (file: string): StaticFile | null => {
    let real: string;
    try {
      // The real path must be inside the folder too: a symbolic link in the build (or planted in
      // it) must not serve /etc/passwd or the data directory.
      real = fs.realpathSync.native(file);
      if (!real.startsWith(realBase + path.sep) || !fs.statSync(real).isFile()) return null;
    } catch {
      return null;
    }
    const ext = path.extname(file).toLowerCase();
    return { file: real, type: TYPES[ext] ?? 'application/octet-stream', cacheable: ext !== '.html' };
  };
  const direct = candidate === base ? null : asFile(candidate);
  if (direct) return direct;
  // Client-side routes (/runs/abc) get the app shell; a missing asset (/x.js) stays a 404.
  if (path.extname(decoded) === '') return asFile(path.join(base, 'index.html'));
  return null;
}

export function notBuiltPage(dir: string): string {
  return `<!doctype html><meta charset="utf-8"><title>FFR Workbench</title>
<body style="font-family:system-ui;margin:3rem;max-width:44rem">
<h1>The workbench UI is not built</h1>
<p>No renderer build was found in <code>${escapeHtml(dir)}</code>. Build it with <code>npm run build</code>
(runs <code>electron-vite build</code>), then restart <code>ffr serve</code>; or point <code>--renderer-dir</code> at a build.</p>
<p>The API is available meanwhile at <code>POST /api/&lt;method&gt;</code>.</p>`;
}

export function unauthorizedPage(): string {
  return `<!doctype html><meta charset="utf-8"><title>FFR Workbench: access token needed</title>
<body style="font-family:system-ui;margin:3rem;max-width:44rem">
<h1>Access token missing or wrong</h1>
<p>Open the exact URL that <code>ffr serve</code> printed: it carries <code>?token=…</code>, which this server requires on every request.</p>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
