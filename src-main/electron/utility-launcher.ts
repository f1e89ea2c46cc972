/**
 * Trainer processes under Electron: `utilityProcess.fork` (a Node child of the app that needs no
 * separate Node install and survives a renderer crash). Same TrainerHandle as the Node launcher, so
 * the job manager does not know which one it drives.
 *
 * The fork function is injected (Electron's in the app, a fake in tests).
 */
import { hostWatchEnv, type HostMessage } from '../trainer/protocol';
import { cancelFlag, type TrainerLauncher } from '../services/trainer-launcher';

/** The part of Electron's UtilityProcess used here. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
}

export interface UtilityForkOptions {
  env: Record<string, string | undefined>;
  stdio: ['ignore', 'ignore', 'pipe'];
  serviceName: string;
  execArgv?: string[];
}

export type UtilityFork = (modulePath: string, args: string[], options: UtilityForkOptions) => UtilityProcessLike;

export interface UtilityLauncherOptions {
  env?: Record<string, string>;
  maxOldSpaceMb?: number;
}

export function utilityTrainerLauncher(fork: UtilityFork, entry: string, options: UtilityLauncherOptions = {}): TrainerLauncher {
  return () => {
    const flag = cancelFlag();
    const child = fork(entry, [], {
      env: { ...process.env, ...options.env, ...flag.env, ...hostWatchEnv() },
      stdio: ['ignore', 'ignore', 'pipe'],
      serviceName: 'FFR trainer',
      ...(options.maxOldSpaceMb ? { execArgv: [`--max-old-space-size=${options.maxOldSpaceMb}`] } : {}),
    });
    let stderr = '';
    let exited = false;
    let killed = false;
    const append = (text: string): void => {
      stderr = (stderr + text).slice(-4000);
    };
    child.stderr?.on('data', (chunk: Buffer) => append(chunk.toString('utf8')));
    // V8 fatal errors (out of memory among them) arrive here before `exit`; keep the reason so
    // crashReason can say "ran out of memory" rather than just an exit code.
    child.on('error', (type, location, report) => append(`\n${type} at ${location}\n${report.slice(0, 2000)}`));
    child.on('exit', () => {
      exited = true;
      flag.clear();
    });
    return {
      pid: child.pid,
      send: (message: HostMessage) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => {
        child.on('message', listener);
      },
      onExit: (listener) => {
        // utilityProcess reports an exit code only; a kill we asked for is reported as SIGKILL.
        child.on('exit', (code) => listener(killed ? null : code, killed ? 'SIGKILL' : null, stderr));
      },
      kill: () => {
        killed = true;
        child.kill();
      },
      requestCancel: () => flag.raise(),
    };
  };
}
