/**
 * Slurm's client commands (sbatch, squeue, scontrol, scancel, sacct) as child processes, each with
 * a timeout: with the controller down they retry for ~9 s before failing, and a host must never
 * hang on them. Every failure becomes one sentence naming the command and what went wrong.
 * The commands find the cluster as a user's shell would (SLURM_CONF, or the system's slurm.conf).
 */
import { execFile } from 'node:child_process';
import { parseSacct, parseScontrolJob, parseSqueueJson, type SlurmJobStatus } from './parse';

export class SlurmCommandError extends Error {
  override readonly name = 'SlurmCommandError';
  constructor(
    message: string,
    /** The command is not installed here at all. */
    readonly missing = false,
  ) {
    super(message);
  }
}

export interface SlurmCommandsOptions {
  /** Per command, ms (default 30 s: above Slurm's own ~9 s of retries when the controller is down). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class SlurmCommands {
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(o: SlurmCommandsOptions = {}) {
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.env = o.env ?? process.env;
  }

  /** Runs one command; resolves with its output and exit code, rejects only when it could not run or timed out. */
  run(command: string, args: string[]): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      execFile(command, args, { timeout: this.timeoutMs, killSignal: 'SIGKILL', env: this.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new SlurmCommandError(`${command} is not installed on this machine; the Slurm executor needs Slurm's client commands (sbatch, squeue, scontrol, scancel) on the host (docs/slurm.md).`, true));
          return;
        }
        if (error && (error as { killed?: boolean }).killed) {
          reject(new SlurmCommandError(`${command} did not answer within ${Math.round(this.timeoutMs / 1000)} s; is the Slurm controller reachable${this.env['SLURM_CONF'] ? ` (SLURM_CONF=${this.env['SLURM_CONF']})` : ''}?`));
          return;
        }
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
        resolve({ stdout: String(stdout), stderr: String(stderr), code });
      });
    });
  }

  /** The last meaningful line of a failed command's stderr. */
  private static why(r: CommandResult): string {
    const line = r.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .pop();
    return line ? line.replace(/^\w+: error: /, '') : `exit code ${r.code}`;
  }

  /** Submits; resolves with sbatch's stdout (the caller reads the job id from it). */
  async sbatch(args: string[]): Promise<string> {
    const r = await this.run('sbatch', args);
    if (r.code !== 0) throw new SlurmCommandError(`sbatch refused the job: ${SlurmCommands.why(r)}.`);
    return r.stdout;
  }

  /** The states of `ids` that the controller still knows (one `squeue --json` for all of them). */
  async squeue(ids: string[]): Promise<Map<string, SlurmJobStatus>> {
    const r = await this.run('squeue', ['--json']);
    if (r.code !== 0) throw new SlurmCommandError(`squeue failed: ${SlurmCommands.why(r)}.`);
    return parseSqueueJson(r.stdout, ids);
  }

  /** One job from scontrol; null when the controller no longer knows it. */
  async scontrol(id: string): Promise<SlurmJobStatus | null> {
    const r = await this.run('scontrol', ['show', 'job', '-o', id]);
    if (r.code !== 0) {
      if (/Invalid job id/i.test(r.stderr)) return null;
      throw new SlurmCommandError(`scontrol show job ${id} failed: ${SlurmCommands.why(r)}.`);
    }
    return parseScontrolJob(r.stdout);
  }

  /**
   * One finished job from accounting: the database where there is one, else the job-completion log
   * (`sacct -c`, what a cluster without slurmdbd keeps); null when neither knows it.
   */
  async sacct(id: string): Promise<SlurmJobStatus | null> {
    const fields = ['-j', id, '-P', '-n', '-o', 'JobID,State,ExitCode'];
    for (const extra of [[], ['-c']]) {
      const r = await this.run('sacct', [...extra, ...fields]);
      if (r.code !== 0) continue;
      const found = parseSacct(r.stdout, id);
      if (found) return found;
    }
    return null;
  }

  /** Cancels (or, with a signal, signals) a job; a job that already ended is not an error. */
  async scancel(id: string, signal?: 'KILL'): Promise<void> {
    const r = await this.run('scancel', [...(signal ? ['--signal', signal, '--full'] : []), id]);
    if (r.code !== 0 && !/already completing or completed|Invalid job id/i.test(r.stderr)) {
      throw new SlurmCommandError(`scancel ${id} failed: ${SlurmCommands.why(r)}.`);
    }
  }
}
