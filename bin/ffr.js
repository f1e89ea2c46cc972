#!/usr/bin/env node
// The `ffr` command. The CLI is TypeScript run through tsx, so the same sources serve the
// CLI, the trainer processes it forks and the tests, with no separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
