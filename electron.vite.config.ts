/**
 * electron-vite: three builds into out/.
 * - main (ESM, dependencies external): the Electron entry and the trainer entry that
 *   utilityProcess forks (both share chunks of the service and engine code);
 * - preload: one CommonJS file with its imports inlined, because a sandboxed preload can only
 *   require('electron');
 * - renderer: the Vue app, with relative asset paths so index.html loads from file:// as well as
 *   from `ffr serve`.
 */
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve('src-main/index.ts'),
          trainer: resolve('src-main/trainer/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src-main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 1500,
      rolldownOptions: { input: resolve('src-renderer/index.html') },
    },
  },
});
