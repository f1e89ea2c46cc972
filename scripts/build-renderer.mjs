// Builds only the renderer with Vite (what `ffr serve` and the Playwright journeys need), without the
// Electron main/preload bundles that `electron-vite build` also produces.
// Usage: node scripts/build-renderer.mjs [--out DIR]   (default: out/renderer)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import vue from '@vitejs/plugin-vue';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const outDir = at > 0 && process.argv[at + 1] ? path.resolve(process.argv[at + 1]) : path.join(root, 'out/renderer');
await build({
  root: path.join(root, 'src-renderer'),
  base: './',
  plugins: [vue()],
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
