// Builds only the renderer into out/renderer with Vite (what `ffr serve` and the Playwright journeys
// need), without the Electron main/preload bundles that `electron-vite build` also produces.
// Usage: node scripts/build-renderer.mjs
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import vue from '@vitejs/plugin-vue';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  root: path.join(root, 'src-renderer'),
  base: './',
  plugins: [vue()],
  logLevel: 'warn',
  build: { outDir: path.join(root, 'out/renderer'), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
