/**
 * electron-vite: three builds into out/.
 * - main (ESM, dependencies external): the Electron entry and the trainer entry that
 *   utilityProcess forks (they share the chunks of shared/ and catalog/; only the trainer's
 *   reaches the engine and tfjs);
 * - preload: one CommonJS file with its imports inlined, because a sandboxed preload can only
 *   require('electron');
 * - renderer: the Vue app, with relative asset paths so index.html loads from file:// as well as
 *   from `ffr serve`.
 */
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * electron-vite adds `const require = createRequire(import.meta.url)` to every ESM chunk that
 * calls require(); a module that declares its own top-level `require` the same way (the usual
 * idiom in Node ESM) then makes the chunk a SyntaxError ("Identifier 'require' has already been
 * declared"). This renames such a module's own binding before bundling.
 */
function renameModuleRequire(): Plugin {
  const declaration = /^const require = createRequire\(import\.meta\.url\);$/m;
  return {
    name: 'ffr:rename-module-require',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('/src-main/') || !declaration.test(code)) return null;
      return { code: code.replace(/\brequire(?=\s*[.(])/g, '__moduleRequire').replace(declaration, 'const __moduleRequire = createRequire(import.meta.url);'), map: null };
    },
  };
}

export default defineConfig({
  main: {
    plugins: [renameModuleRequire()],
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
