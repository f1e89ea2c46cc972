/**
 * Does this trainer still have a host? A trainer whose host died (kill -9, crash, power button on
 * the terminal) must stop within seconds: nobody records its epochs any more, and a restarted host
 * may resume the same run.
 *
 * The IPC channel cannot tell: the training step loop is synchronous, and Node updates
 * `process.connected` and emits 'disconnect' only when the event loop runs, at the end of an epoch
 * (measured: `connected` stayed true for 8 s of busy loop after the parent's kill -9). What can be
 * read synchronously, and is checked at every step (throttled to a few times a second):
 *
 * - `FFR_HOST_PID`, set by both launchers (child_process.fork and Electron's utilityProcess), is
 *   probed with kill(pid, 0): gone (ESRCH) means the host is gone. Works on every platform and for
 *   utilityProcess, whose parent in the process tree need not be the Electron main process.
 * - `process.ppid` is a live value on POSIX: when the parent dies the trainer is re-parented (to 1 or
 *   a subreaper), so a change of ppid away from the host means the host is gone, even if its pid was
 *   already reused. Used only when the host is the parent (the fork launcher).
 */
import { HOST_PID_ENV } from './protocol';

/** Exit code of a trainer that stopped because its host vanished (nobody reads it; for `ps`/logs). */
export const HOST_GONE_EXIT_CODE = 4;

export interface HostWatch {
  /** True once the host is gone; cheap enough to call at every training step. */
  gone(): boolean;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function watchHost(env: NodeJS.ProcessEnv = process.env, intervalMs = 200): HostWatch {
  const hostPid = Number(env[HOST_PID_ENV] ?? '');
  const known = Number.isInteger(hostPid) && hostPid > 0;
  const parentIsHost = known && process.ppid === hostPid;
  const initialParent = process.ppid;
  let lastCheck = 0;
  let lost = false;
  return {
    gone() {
      if (lost) return true;
      const now = Date.now();
      if (now - lastCheck < intervalMs) return false;
      lastCheck = now;
      if (parentIsHost || !known) lost = process.ppid !== initialParent;
      if (!lost && known) lost = !pidExists(hostPid);
      return lost;
    },
  };
}
