/**
 * The trainer's host watch with real processes. The host is a separate process that is not the
 * watcher's parent, as with Electron's utilityProcess (whose parent in the process tree need not be
 * the main process): only FFR_HOST_PID tells the watcher who its host is. The watcher busy-loops the
 * way the training step loop does, so no event (IPC 'disconnect', timers) can help it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { watchHost } from './host-watch';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('watchHost', () => {
  it('notices within seconds that a host which is not its parent was killed, while busy', async () => {
    const host = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    const script = `import { watchHost } from './src-main/trainer/host-watch.ts';
      const w = watchHost();
      process.stdout.write('watching\\n');
      const start = Date.now();
      while (!w.gone()) if (Date.now() - start > 60000) { process.stdout.write('timeout\\n'); process.exit(1); }
      process.stdout.write('gone\\n');`;
    const watcher = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, FFR_HOST_PID: String(host.pid) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    watcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (out.includes('watching')) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(out).toBe('watching\n');
    const killedAt = Date.now();
    host.kill('SIGKILL');
    const code = await new Promise<number | null>((resolve) => watcher.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toBe('watching\ngone\n');
    expect(Date.now() - killedAt).toBeLessThan(3000);
  });

  it('is not fooled by a live host, and needs no host pid to notice its parent going (by ppid)', () => {
    expect(watchHost({ FFR_HOST_PID: String(process.pid) }, 0).gone()).toBe(false);
    expect(watchHost({}, 0).gone()).toBe(false);
    // A pid that cannot exist: gone at the first check.
    expect(watchHost({ FFR_HOST_PID: '2147483646' }, 0).gone()).toBe(true);
  });
});
