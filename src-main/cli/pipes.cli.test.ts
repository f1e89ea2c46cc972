/**
 * `ffr … --json | head -c 10`: the reader closes the pipe before the CLI writes. The CLI must end
 * quietly (no EPIPE stack, its own exit code) and finish what it was doing. The read ends are
 * closed before the child writes anything, so the EPIPE is certain rather than a race with head.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store';

const root = path.resolve(import.meta.dirname, '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-cli-pipes-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** Runs ffr with the read end of stdout and/or stderr closed at once; returns what stays readable. */
function ffrClosing(close: Array<'stdout' | 'stderr'>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/ffr.js'), ...args], {
      cwd: root,
      env: { ...process.env, FFR_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const text = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) {
      if (close.includes(name)) child[name].destroy();
      else child[name].on('data', (d: Buffer) => (text[name] += d.toString('utf8')));
    }
    child.on('close', (code) => resolve({ code, ...text }));
  });
}

describe('ffr with a closed pipe', () => {
  it('ends quietly when stdout closes: no EPIPE stack, exit 0, and the training it ran is complete', async () => {
    const r = await ffrClosing(['stdout'], 'train', '--model', 'mlp', '--width', '0.5', '--dataset', 'synthetic', '--image-shape', '8x8x1',
      '--classes', '3', '--train-size', '64', '--test-size', '32', '--epochs', '1', '--backend', 'cpu', '--json');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(r.code).toBe(0);
    const store = openStore(path.join(home, 'ffr.sqlite'));
    try {
      expect(store.runs.list().map((x) => x.status)).toEqual(['completed']);
    } finally {
      store.close();
    }
  }, 180_000);

  it('ends quietly when stderr closes, or both', async () => {
    const errClosed = await ffrClosing(['stderr'], 'info');
    expect(errClosed.code).toBe(0);
    const both = await ffrClosing(['stdout', 'stderr'], 'info', '--json');
    expect(both.code).toBe(0);
    // A failing command keeps its own exit code (2: a usage error), not a crash's.
    expect((await ffrClosing(['stderr'], 'train', '--epochs', 'many')).code).toBe(2);
  }, 120_000);
});
