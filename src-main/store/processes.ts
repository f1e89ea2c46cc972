/**
 * Is a process that the store recorded still alive? Used by start-up recovery (is a run's host
 * gone?) and by the run lock (is its holder gone, so the lock is stale?).
 *
 * A pid alone can be reused by an unrelated process after its owner died (after a reboot, small pids
 * come back quickly). On Linux the kernel also tells when a process started (`/proc/<pid>/stat`,
 * field 22, in clock ticks since boot): the store records it next to the pid, and a live pid whose
 * start time differs is a different process, so the recorded one is gone. Elsewhere the start time
 * is unknown (null) and the pid check alone decides.
 */
import fs from 'node:fs';

export interface ProcessRef {
  pid: number;
  /** Start time in clock ticks since boot (Linux), or null where unknown. */
  startTicks: number | null;
}

/** Start time and state of a process from /proc, or null when unavailable (not Linux, or gone). */
function procStat(pid: number): { startTicks: number; zombie: boolean } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]);
  if (!Number.isFinite(startTicks)) return null;
  return { startTicks, zombie: fields[0] === 'Z' };
}

/** This process, or another one by pid, as the store records it. */
export function processRef(pid: number = process.pid): ProcessRef {
  return { pid, startTicks: procStat(pid)?.startTicks ?? null };
}

/** Whether `pid` exists at all (EPERM: it exists but belongs to another user). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the recorded process is still running (a zombie or a reused pid counts as gone). */
export function processAlive(ref: ProcessRef): boolean {
  if (!Number.isInteger(ref.pid) || ref.pid <= 0 || !pidExists(ref.pid)) return false;
  const stat = procStat(ref.pid);
  // No /proc (not Linux): the pid exists, that is all we can know. (On Linux it just exited.)
  if (stat === null) return pidExists(ref.pid);
  if (stat.zombie) return false;
  return ref.startTicks === null || stat.startTicks === ref.startTicks;
}
