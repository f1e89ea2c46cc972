/**
 * A small tmpfs for full-disk tests: a real file system that runs out of space, so ENOSPC, short
 * writes and SQLITE_FULL come from the kernel and SQLite, not from a mock. Mounting needs root (or
 * CAP_SYS_ADMIN); where it is not permitted the caller skips its test with the reason returned here,
 * and the always-running fault-injection tests still cover the same code paths.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Tmpfs {
  dir: string;
  unmount(): void;
}

/** Mounts a tmpfs of `bytes` on a new temporary folder; returns it, or why it could not. */
export function mountTmpfs(bytes: number): Tmpfs | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: 'tmpfs mounts need Linux' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n')[0] || `mount exited with ${r.status}`;
    return { unavailable: `mounting a tmpfs is not permitted here (${why})` };
  }
  return {
    dir,
    unmount() {
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether this machine lets tests mount a tmpfs (checked once, by mounting and unmounting one). */
export function tmpfsAvailability(): { available: true } | { available: false; reason: string } {
  const probe = mountTmpfs(64 * 1024);
  if ('unavailable' in probe) return { available: false, reason: probe.unavailable };
  probe.unmount();
  return { available: true };
}
