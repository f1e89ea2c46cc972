/**
 * Starting a trainer process. Under plain Node (CLI, `ffr serve`, tests) it is a child_process.fork
 * of the TypeScript entry through tsx; Electron main supplies its own launcher (utilityProcess).
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostWatchEnv, type HostMessage } from '../trainer/protocol';

/**
 * What a trainer's end means for its run, when its handle knows better than "it exited without a
 * final message, so it failed": a Slurm job that reached its time limit is `interrupted` (resumable),
 * one cancelled in Slurm is `cancelled` (services/slurm/parse.ts, runEnding).
 */
export interface ExitVerdict {
  status: 'completed' | 'failed' | 'cancelled' | 'interrupted';
  error: string | null;
}

export interface TrainerHandle {
  send(message: HostMessage): void;
  /**
   * The trainer's messages. `source`, from handles that may deliver a message twice (a Slurm job's
   * messages file read again after a host restart), names the message: the same message always has
   * the same source, so what is recorded from it (a log line) is recorded once.
   */
  onMessage(listener: (message: unknown, source?: string) => void): void;
  /**
   * Called once when the trainer is gone: exit code or signal, the tail of its stderr (of a Slurm
   * job: its output file) and, from handles that know, what that end means for the run.
   */
  onExit(listener: (code: number | null, signal: string | null, stderrTail: string, verdict?: ExitVerdict) => void): void;
  /**
   * Stops following a trainer that lives on without this host (a Slurm job at host shutdown): no
   * more messages or exit are reported, and the run stays as it is for the next host to pick up.
   * Absent for local trainers, which never outlive their host.
   */
  detach?(): void;
  kill(): void;
  /**
   * Out-of-band cancel: the trainer's step loop is synchronous, so an IPC `cancel` message is only
   * read between epochs. This raises a flag the trainer checks at every step (see cancelFlag).
   */
  requestCancel?(): void;
  readonly pid: number | undefined;
}

/**
 * A per-trainer cancel flag: a file path handed to the trainer in FFR_TRAINER_CANCEL_FILE. The
 * trainer checks for it synchronously between steps, which works while its event loop is busy
 * training (an IPC message would wait for the epoch to end). Removed when the trainer exits.
 */
export function cancelFlag(): { env: Record<string, string>; raise(): void; clear(): void } {
  const file = path.join(os.tmpdir(), `ffr-cancel-${process.pid}-${crypto.randomUUID()}`);
  return {
    env: { FFR_TRAINER_CANCEL_FILE: file },
    raise: () => {
      try {
        fs.writeFileSync(file, 'cancel');
      } catch {
        // The IPC message was sent too; the flag only makes it faster.
      }
    },
    clear: () => fs.rmSync(file, { force: true }),
  };
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
    const flag = cancelFlag();
    const child = fork(TRAINER_ENTRY, [], {
      execArgv: ['--import', 'tsx', ...(options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : [])],
      env: { ...process.env, ...options.env, ...flag.env, ...hostWatchEnv() },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    // A send racing the trainer's exit fails with EPIPE, reported as an 'error' event: without a
    // listener that would crash the host. The exit handler reports the trainer's end anyway.
    child.on('error', () => {});
    child.once('exit', () => flag.clear());
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message, () => {});
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal, stderr)),
      requestCancel: () => flag.raise(),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  };
}
