#!/usr/bin/env node
// `npm test`: the unit and integration tests (vitest), then the browser journeys (Playwright).
// Both always run; the exit code is non-zero if either failed. Each writes a JSON report under
// test-results/ that .ci/run reads to print its "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

fs.mkdirSync('test-results', { recursive: true });
// Single-threaded wasm in tests (the threaded build adds ~1 s of start-up to every trainer); the
// threaded path has its own test.
const env = { ...process.env, FFR_WASM_THREADS: process.env.FFR_WASM_THREADS ?? '1' };
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false, env }).status ?? 1;

const unit = run('npx', ['vitest', 'run']);
const e2e = fs.existsSync('playwright.config.ts') ? run('npx', ['playwright', 'test']) : 0;
process.exit(unit !== 0 || e2e !== 0 ? 1 : 0);
