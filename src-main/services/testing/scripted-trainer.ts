/**
 * A scripted trainer handle for the host's tool-job tests: no process, just the protocol. Used by
 * *.test.ts only (real trainers answer real jobs in api.test.ts and tests/host-without-tfjs.test.ts).
 */
import type { HostMessage } from '../../trainer/protocol';
import type { TrainerHandle, TrainerLauncher } from '../trainer-launcher';

export interface ScriptOptions {
  /** Exit with this code right after the replies, without waiting for `exit` (a crash). */
  exitWithout?: number;
  /** What the trainer wrote on stderr, reported when it exits. */
  stderr?: string;
}

/** A trainer that answers the `run` message with `replies`, then exits (code 0) on `exit`. */
export function scripted(replies: unknown[], o: ScriptOptions = {}): { launcher: TrainerLauncher; sent: HostMessage[]; killed: () => boolean } {
  const sent: HostMessage[] = [];
  let killed = false;
  const launcher: TrainerLauncher = () => {
    let onMessage: (m: unknown) => void = () => {};
    let exited = false;
    const exitListeners: Array<(code: number | null, signal: string | null, stderr: string) => void> = [];
    const onExit = (code: number | null, signal: string | null, stderr: string): void => {
      if (exited) return;
      exited = true;
      exitListeners.forEach((l) => l(code, signal, stderr));
    };
    const handle: TrainerHandle = {
      pid: 1,
      send: (m) => {
        sent.push(m);
        if (m.type === 'run') {
          queueMicrotask(() => {
            for (const r of replies) onMessage(r);
            if (o.exitWithout !== undefined) onExit(o.exitWithout, null, o.stderr ?? 'Error: boom');
          });
        }
        if (m.type === 'exit') queueMicrotask(() => onExit(0, null, o.stderr ?? ''));
      },
      onMessage: (l) => void (onMessage = l),
      onExit: (l) => void exitListeners.push(l),
      kill: () => {
        killed = true;
        onExit(null, 'SIGKILL', o.stderr ?? '');
      },
    };
    return handle;
  };
  return { launcher, sent, killed: () => killed };
}
