import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rendererState } from './renderer-build';

let root: string | undefined;
afterEach(() => root && fs.rmSync(root, { recursive: true, force: true }));

function touch(file: string, secondsAgo: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'x');
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, t, t);
}

describe('renderer build state', () => {
  it('missing, fresh, stale after a source changes, and no sources in an installed package', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-ui-state-'));
    const out = path.join(root, 'out', 'renderer');
    touch(path.join(root, 'src-renderer', 'src', 'App.vue'), 100);
    touch(path.join(root, 'src-main', 'shared', 'contract.ts'), 100);
    expect(rendererState(out, root)).toBe('missing');
    touch(path.join(out, 'index.html'), 50);
    expect(rendererState(out, root)).toBe('fresh');
    touch(path.join(root, 'src-main', 'shared', 'contract.ts'), 10);
    expect(rendererState(out, root)).toBe('stale');
    fs.rmSync(path.join(root, 'src-renderer'), { recursive: true });
    expect(rendererState(out, root)).toBe('no-sources');
  });
});
