#!/usr/bin/env node
// `npm test`: the unit and integration tests (vitest), then the browser journeys (Playwright).
// Both always run; the exit code is non-zero if either failed. Each writes a JSON report under
// test-results/ that .ci/run reads to print its "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

fs.mkdirSync('test-results', { recursive: true });
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;

const unit = run('npx', ['vitest', 'run']);
const e2e = fs.existsSync('playwright.config.ts') ? run('npx', ['playwright', 'test']) : 0;
process.exit(unit !== 0 || e2e !== 0 ? 1 : 0);
