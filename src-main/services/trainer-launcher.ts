/**
 * Starting a trainer process. Under plain Node (CLI, `ffr serve`, tests) it is a child_process.fork
 * of the TypeScript entry through tsx; Electron main supplies its own launcher (utilityProcess).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostMessage } from '../trainer/protocol';

export interface TrainerHandle {
  send(message: HostMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone: exit code or signal, and the tail of its stderr. */
  onExit(listener: (code: number | null, signal: string | null, stderrTail: string) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export type TrainerLauncher = () => TrainerHandle;

const TRAINER_ENTRY = fileURLToPath(new URL('../trainer/main.ts', import.meta.url));

export interface NodeLauncherOptions {
  /** Extra environment for the trainer (tests use it to inject faults). */
  env?: Record<string, string>;
  /** V8 heap limit of the trainer, MiB. */
  maxOldSpaceMb?: number;
}

export function nodeTrainerLauncher(options: NodeLauncherOptions = {}): TrainerLauncher {
  return () => {
    const child = fork(TRAINER_ENTRY, [], {
      execArgv: ['--import', 'tsx', ...(options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : [])],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal, stderr)),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  };
}
