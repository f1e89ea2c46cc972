// Lint rules for the whole project: typescript-eslint's recommended type-aware-free set for
// TypeScript, eslint-plugin-vue's recommended set for the renderer, and the layer table of
// docs/architecture.md as import boundaries (eslint-plugin-boundaries): a file may import only
// from the layers listed for it, so a wrong import fails `npm run lint`.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

/**
 * Layers, by folder: a file belongs to the first layer whose folder holds it, so `src-main` (the
 * Electron entry and preload at its top) comes after the layers inside it.
 */
const LAYERS = [
  { type: 'shared', pattern: 'src-main/shared' },
  { type: 'catalog', pattern: 'src-main/catalog' },
  { type: 'engine', pattern: 'src-main/engine' },
  { type: 'store', pattern: 'src-main/store' },
  { type: 'trainer', pattern: 'src-main/trainer' },
  { type: 'services', pattern: 'src-main/services' },
  { type: 'server', pattern: 'src-main/server' },
  { type: 'electron', pattern: 'src-main/electron' },
  { type: 'cli', pattern: 'src-main/cli' },
  { type: 'main', pattern: 'src-main' },
  { type: 'renderer', pattern: 'src-renderer' },
  // Checks across boundaries (a test of two sides agreeing), benchmarks and browser journeys.
  { type: 'tooling', pattern: '{tests,bench,e2e,scripts}' },
];

/** The trainer's message protocol: the one file of the trainer layer the host may import. */
const FILES = [
  { category: 'protocol', pattern: 'src-main/trainer/protocol.ts' },
  // Tests and their helpers may reach across layers (a fixture writer, the preload under test).
  { category: 'test', pattern: '**/*.test.ts' },
  { category: 'test', pattern: '**/testing/**' },
];
const PROTOCOL = { element: { type: 'trainer' }, file: { categories: 'protocol' } };

/** Who may import whom (value imports). The host (services and the shells) never reaches tfjs. */
const MAY_IMPORT = {
  shared: ['shared'],
  catalog: ['shared', 'catalog'],
  engine: ['shared', 'catalog', 'engine'],
  store: ['shared', 'store'],
  trainer: ['shared', 'catalog', 'engine', 'trainer'],
  services: ['shared', 'catalog', 'store', 'services'],
  server: ['shared', 'services', 'server'],
  electron: ['shared', 'services', 'electron'],
  // `ffr serve` is a CLI command that starts the HTTP server.
  cli: ['shared', 'catalog', 'store', 'services', 'server', 'cli'],
  main: ['shared', 'services', 'electron'],
  renderer: ['shared', 'renderer'],
  tooling: ['shared', 'catalog', 'engine', 'store', 'trainer', 'services', 'server', 'electron', 'cli', 'main', 'renderer', 'tooling'],
};
const HOST = ['services', 'server', 'electron', 'cli', 'main'];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'tmp/', 'test-results/', 'playwright-report/', 'bench/results/', 'docs/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', window: 'readonly', document: 'readonly' },
    },
    rules: {
      // TypeScript checks undefined names itself (typescript-eslint's advice), with the DOM and Node
      // types of each tsconfig; ESLint's own no-undef knows neither.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['src-main/**/*.ts', 'src-renderer/**/*.{ts,vue}', 'tests/**/*.ts', 'bench/**/*.ts', 'e2e/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': LAYERS,
      'boundaries/files': FILES,
      'boundaries/include': ['src-main/**/*', 'src-renderer/**/*', 'tests/**/*', 'bench/**/*', 'e2e/**/*', 'scripts/**/*'],
      'import/resolver': { node: { extensions: ['.ts', '.mts', '.js', '.mjs', '.vue', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: '{{from.type}} may not import {{to.type}} here (docs/architecture.md, "Layers").',
          policies: [
            ...Object.entries(MAY_IMPORT).map(([from, to]) => ({ from: { element: { type: from } }, allow: { to: { element: { types: to } } } })),
            // The host talks to trainers through the protocol; type-only imports of the engine
            // or the trainer are fine too (they are erased).
            { from: { element: { types: HOST } }, allow: { to: PROTOCOL } },
            { from: { element: { types: HOST } }, allow: { to: { element: { types: ['engine', 'trainer'] } }, dependency: { kind: 'type' } } },
            { from: { file: { categories: 'test' } }, allow: { to: { element: { types: '*' } } } },
            // The protocol is imported by the host, so it may import nothing but shared DTOs.
            { from: { file: { categories: 'protocol' } }, disallow: { to: { element: { types: '!shared' } } }, message: 'trainer/protocol.ts is imported by the host: it may import only shared/.' },
          ],
        },
      ],
    },
  },
  {
    // The host never loads tfjs itself, not even through a package import.
    files: ['src-main/{services,server,electron,cli,shared,catalog,store}/**/*.ts', 'src-main/index.ts', 'src-main/preload.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tensorflow/*'], allowTypeImports: true, message: 'Only trainer processes load tfjs: ask the trainer with a tool job (trainer/protocol.ts).' }] },
      ],
    },
  },
);
