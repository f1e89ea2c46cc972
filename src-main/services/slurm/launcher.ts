/**
 * The Slurm executor's trainer handles: the job manager drives a Slurm job through the same
 * TrainerHandle as a local trainer process (services/trainer-launcher.ts), so queueing, recording
 * epochs in one transaction each, events, storage errors and cancel work the same for both.
 *
 *   send(run)        writes the job folder (job.json, run.sh, the start model) and submits it with
 *                    `sbatch --parsable`; the job id is recorded (slurm_jobs) and takes the run's lock
 *   onMessage        the trainer's messages, read from the job folder's messages.jsonl by byte
 *                    offset (complete lines only), each with its source (attempt and offset: the
 *                    same after a restart, so its log line is stored once); an epoch's checkpoint
 *                    is first copied into the data directory, so the store references the same
 *                    files as for a local run
 *   onExit           once Slurm reports the job ended (squeue --json, else scontrol, else sacct):
 *                    its exit code or signal, the tail of its output and, when the trainer left no
 *                    final message, what the end means for the run (parse.ts, runEnding)
 *   requestCancel    the cancel flag in the job folder, and scancel
 *   kill             scancel (again, with SIGKILL after the grace period)
 *   detach           stop following without touching the job (host shutdown; a later host adopts)
 *
 * One monitor per launcher polls every followed job: the messages files every `pollMs`, Slurm's
 * states every `statePollMs` with one squeue call for all jobs. Its timer keeps the process alive
 * while it follows jobs (a CLI waiting for its run has nothing else to wait on).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyModelFile } from '../../catalog/models/model-file';
import { isActiveSlurmState, type SlurmJob, type SlurmSettings } from '../../shared/executor';
import type { SlurmJobRecord, Store } from '../../store';
import { TrainerMessage, isFinalMessage, type HostMessage, type TrainJob } from '../../trainer/protocol';
import type { HomePaths } from '../home';
import type { ExitVerdict, TrainerHandle } from '../trainer-launcher';
import { SlurmCommandError, SlurmCommands } from './commands';
import { jobFolder, messagesFile, outputTail, raiseCancelFlag, readCompleteLines, writeFileAtomically } from './job-folder';
import { runEnding, type SlurmJobStatus } from './parse';
import { batchScript, parseSbatchOutput, sbatchArgs } from './script';

/** How the node runs the trainer: Node, tsx's loader, the entry. */
export interface TrainerCommand {
  node: string;
  loader: string;
  entry: string;
}

/** The trainer as this checkout runs it (the same files must be visible on the nodes). */
export function defaultTrainerCommand(node?: string): TrainerCommand {
  return {
    node: node ?? (process.versions['electron'] ? 'node' : process.execPath),
    loader: import.meta.resolve('tsx'),
    entry: fileURLToPath(new URL('../../trainer/main.ts', import.meta.url)),
  };
}

export interface SlurmLauncherOptions {
  store: Store;
  paths: HomePaths;
  commands?: SlurmCommands;
  /** Messages files are read this often (ms; default 1000). */
  pollMs?: number;
  /** Slurm is asked for job states this often (ms; default 5000). */
  statePollMs?: number;
  /** A job's Slurm state changed (for events). */
  onJob?: (runId: string, job: SlurmJob) => void;
  /** Something the user should read (Slurm unreachable, a checkpoint that could not be copied). */
  onLog?: (runId: string, level: 'warn' | 'error', message: string) => void;
}

export interface SlurmLaunch {
  runId: string;
  /** The job manager's lock owner token (the lock passes to the job once submitted). */
  owner: string;
  /** Settings of this submission (the defaults merged with what the run asked for). */
  settings: SlurmSettings;
  /** Job folder root and trainer command (from the stored defaults). */
  jobRoot: string;
  trainer: TrainerCommand;
}

type ExitListener = (code: number | null, signal: string | null, stderrTail: string, verdict?: ExitVerdict) => void;

/** How many state polls in a row may find no trace of a job before it counts as gone. */
const MISSING_POLLS = 3;

class SlurmJobHandle implements TrainerHandle {
  readonly pid = undefined;
  jobId: string | null = null;
  attempt = 0;
  jobDir = '';
  private offset = 0;
  private readonly messageListeners: Array<(m: unknown, source?: string) => void> = [];
  private readonly exitListeners: ExitListener[] = [];
  private ended = false;
  private finalSeen = false;
  private cancelAsked = false;
  private killed = false;
  private missing = 0;
  private lastState = '';
  following = false;

  constructor(
    readonly runId: string,
    private readonly launcher: SlurmLauncher,
    private readonly launch: SlurmLaunch | null,
  ) {}

  /** Continues following a job submitted earlier (by this host before a restart, or another). */
  static following(launcher: SlurmLauncher, record: SlurmJobRecord): SlurmJobHandle {
    const h = new SlurmJobHandle(record.runId, launcher, null);
    h.jobId = record.jobId;
    h.attempt = record.attempt;
    h.jobDir = record.jobDir;
    h.offset = record.ingestedBytes;
    h.lastState = record.state;
    // A host that stopped after recording the trainer's final message but before Slurm said the
    // job ended: read that message again (it settles the run as the trainer said, and its log line
    // is stored once), or the job's end would look like one without a final message.
    const final = finalMessageStart(record.jobDir, record.ingestedBytes);
    if (final !== null) h.offset = final;
    return h;
  }

  send(message: HostMessage): void {
    if (message.type === 'run' && message.job.kind === 'train' && this.launch && this.jobId === null && !this.ended) {
      void this.submit(message.job, this.launch);
    } else if (message.type === 'cancel' && this.jobDir) {
      raiseCancelFlag(this.jobDir);
    }
    // `exit` needs no answer: the trainer has exited after writing its final message.
  }

  onMessage(listener: (message: unknown, source?: string) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: ExitListener): void {
    this.exitListeners.push(listener);
  }

  requestCancel(): void {
    this.cancelAsked = true;
    if (this.jobDir) raiseCancelFlag(this.jobDir);
    if (this.jobId) void this.launcher.cancelJob(this, false);
  }

  kill(): void {
    const again = this.killed;
    this.killed = true;
    if (this.jobId) void this.launcher.cancelJob(this, again);
  }

  /** Stops following: no more messages or exit from this handle; the job goes on. */
  detach(): void {
    this.launcher.unfollow(this);
  }

  private async submit(job: TrainJob, launch: SlurmLaunch): Promise<void> {
    const { store } = this.launcher;
    try {
      this.attempt = store.slurmJobs.nextAttempt(this.runId);
      this.jobDir = jobFolder(launch.jobRoot, this.runId, this.attempt);
      fs.rmSync(this.jobDir, { recursive: true, force: true });
      fs.mkdirSync(path.join(this.jobDir, 'checkpoints'), { recursive: true });
      // The node sees the job folder, not necessarily the data directory: the model it starts
      // from travels with the job.
      let start = job.start;
      if (start.from !== 'scratch') {
        const copy = path.join(this.jobDir, 'start.ffrm');
        copyModelFile(start.path, copy);
        start = { ...start, path: copy };
      }
      const nodeJob: TrainJob = { ...job, start, checkpointDir: path.join(this.jobDir, 'checkpoints') };
      writeFileAtomically(path.join(this.jobDir, 'job.json'), `${JSON.stringify(nodeJob, null, 1)}\n`);
      const script = path.join(this.jobDir, 'run.sh');
      writeFileAtomically(
        script,
        batchScript({ runId: this.runId, attempt: this.attempt, jobDir: this.jobDir, ...launch.trainer, setup: launch.settings.setup }),
        0o755,
      );
      const args = sbatchArgs({ runId: this.runId, attempt: this.attempt, jobDir: this.jobDir, scriptPath: script, settings: launch.settings });
      const out = await this.launcher.commands.sbatch(args);
      const jobId = parseSbatchOutput(out);
      if (jobId === null) throw new SlurmCommandError(`sbatch answered ${JSON.stringify(out.trim().slice(0, 200))} instead of a job id.`);
      this.jobId = jobId;
      if (this.ended) {
        // Cancelled or killed while sbatch ran: the job must not train unseen.
        void this.launcher.commands.scancel(jobId).catch(() => {});
        return;
      }
      store.slurmJobs.recordSubmission({ runId: this.runId, attempt: this.attempt, jobId, jobDir: this.jobDir, settings: launch.settings });
      store.runLocks.setSlurmJob(this.runId, launch.owner, jobId);
      this.lastState = 'SUBMITTED';
      this.launcher.announce(this);
      this.launcher.follow(this);
      if (this.cancelAsked || this.killed) void this.launcher.cancelJob(this, false);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.end(null, null, '', { status: 'failed', error: /^sbatch|^Slurm|is not installed|did not answer/.test(reason) ? reason : `The Slurm job could not be submitted: ${reason}` });
    }
  }

  /** Reads and delivers the new complete lines of the messages file. */
  pump(): void {
    if (!this.jobDir || this.ended) return;
    let lines;
    try {
      lines = readCompleteLines(messagesFile(this.jobDir), this.offset);
    } catch (e) {
      this.launcher.log(this.runId, 'warn', `The messages of Slurm job ${this.jobId} cannot be read yet: ${e instanceof Error ? e.message : String(e)}.`);
      return;
    }
    for (const line of lines) {
      if (this.ended || !this.following) return;
      // The attempt and the byte offset where the line starts name the message for good: a host
      // reading it again (after a restart) hands the same source, and its log line is not repeated.
      const source = `slurm:${this.attempt}:${this.offset}`;
      this.offset = line.end;
      let raw: unknown;
      try {
        raw = JSON.parse(line.text);
      } catch {
        raw = { type: 'malformed', text: line.text.slice(0, 200) };
      }
      const parsed = TrainerMessage.safeParse(raw);
      let copied: string | null = null;
      if (parsed.success && parsed.data.type === 'epoch' && parsed.data.record.checkpoint) {
        // The store references checkpoints inside the data directory, as for a local run.
        const checkpoint = parsed.data.record.checkpoint;
        const dest = path.join(this.launcher.paths.runsDir, this.runId, 'checkpoints', path.basename(checkpoint.path));
        try {
          if (fs.existsSync(checkpoint.path)) copyModelFile(checkpoint.path, dest);
          copied = checkpoint.path;
          raw = { ...parsed.data, record: { ...parsed.data.record, checkpoint: { ...checkpoint, path: dest } } };
        } catch (e) {
          if (!fs.existsSync(dest)) {
            // Recorded without a checkpoint rather than not at all; resume uses an earlier one.
            this.launcher.log(this.runId, 'warn', `${e instanceof Error ? e.message : String(e)} Epoch ${parsed.data.record.metrics.epoch} is recorded without its checkpoint.`);
            const { checkpoint: _dropped, ...record } = parsed.data.record;
            raw = { ...parsed.data, record };
          } else raw = { ...parsed.data, record: { ...parsed.data.record, checkpoint: { ...checkpoint, path: dest } } };
        }
      }
      for (const l of this.messageListeners) l(raw, source);
      if (parsed.success && (parsed.data.type !== 'progress' && parsed.data.type !== 'log')) {
        try {
          this.launcher.store.slurmJobs.setIngested(this.runId, this.attempt, this.offset);
        } catch {
          // Re-reading from an earlier offset after a restart is harmless: ingestion is idempotent.
        }
      }
      // The copy in the data directory is recorded: the job folder's is no longer needed.
      if (copied && !this.killed) fs.rmSync(copied, { force: true });
      if (parsed.success && isFinalMessage(parsed.data)) {
        this.finalSeen = true;
        // The trainer exits right after its final line: ask Slurm soon, not at the next period.
        this.launcher.pollSoon();
      }
    }
  }

  /** Slurm's latest answer about the job (null: no trace of it anywhere). */
  observe(status: SlurmJobStatus | null): void {
    if (this.ended || !this.jobId) return;
    const { store } = this.launcher;
    if (status === null) {
      this.missing += 1;
      if (this.missing < MISSING_POLLS) return;
    } else this.missing = 0;
    const active = status !== null && isActiveSlurmState(status.state);
    if (status && (status.state !== this.lastState || active === false)) {
      this.lastState = status.state;
      try {
        store.slurmJobs.update(this.runId, this.attempt, {
          state: status.state,
          reason: status.reason,
          exitCode: active ? null : status.exitCode,
          signal: active ? null : status.signal,
        });
      } catch {
        // Shown as last seen; the next poll writes it again.
      }
      this.launcher.announce(this);
    }
    if (active) return;
    // The job ended: take every last line, then say how it ended.
    this.pump();
    if (this.ended) return;
    const tail = outputTail(this.jobDir, this.jobId);
    const verdict = this.finalSeen ? undefined : runEnding(this.jobId, status, tail);
    try {
      store.slurmJobs.update(this.runId, this.attempt, {
        state: status?.state ?? 'UNKNOWN',
        reason: status?.reason ?? (status ? null : 'Slurm no longer knows the job'),
        exitCode: status?.exitCode ?? null,
        signal: status?.signal ?? null,
        ended: true,
      });
    } catch {
      // The lock then stays with the job until a host records its end; start-up recovery leaves the
      // run to the next host that picks it up.
    }
    this.launcher.announce(this);
    const signal = status?.signal ? `SIG${signalName(status.signal)}` : null;
    this.end(status?.exitCode ?? null, signal, tail, verdict);
  }

  private end(code: number | null, signal: string | null, tail: string, verdict?: ExitVerdict): void {
    if (this.ended) return;
    this.ended = true;
    this.launcher.unfollow(this);
    // The job folder's checkpoints were copied into the data directory as they were recorded.
    if (this.jobDir) fs.rmSync(path.join(this.jobDir, 'checkpoints'), { recursive: true, force: true });
    for (const l of this.exitListeners) l(code, signal, tail, verdict);
  }

  view(): SlurmJob | null {
    return this.launcher.store.slurmJobs.get(this.runId, this.attempt);
  }
}

/** Where the trainer's final message starts, if one lies within the first `upTo` bytes of the job's messages. */
function finalMessageStart(jobDir: string, upTo: number): number | null {
  let found: number | null = null;
  let offset = 0;
  try {
    while (offset < upTo) {
      const lines = readCompleteLines(messagesFile(jobDir), offset);
      if (lines.length === 0) break;
      for (const line of lines) {
        if (line.end > upTo) return found;
        // Only a line that may be final is parsed (epochs carry every layer's snapshot).
        if (line.text.includes('"type":"done"') || line.text.includes('"type":"failed"')) {
          const parsed = TrainerMessage.safeParse(JSON.parse(line.text));
          if (parsed.success && isFinalMessage(parsed.data)) found = offset;
        }
        offset = line.end;
      }
    }
  } catch {
    // Unreadable now: follow from the stored offset, as without a final message.
  }
  return found;
}

function signalName(n: number): string {
  return ({ 1: 'HUP', 2: 'INT', 6: 'ABRT', 9: 'KILL', 11: 'SEGV', 15: 'TERM' } as Record<number, string>)[n] ?? String(n);
}

export class SlurmLauncher {
  readonly store: Store;
  readonly paths: HomePaths;
  readonly commands: SlurmCommands;
  private readonly pollMs: number;
  private readonly statePollMs: number;
  private readonly onJob: SlurmLauncherOptions['onJob'];
  private readonly onLog: SlurmLauncherOptions['onLog'];
  private readonly followed = new Set<SlurmJobHandle>();
  private timer: NodeJS.Timeout | undefined;
  private lastStatePoll = 0;
  private polling = false;
  private unreachable = false;

  constructor(o: SlurmLauncherOptions) {
    this.store = o.store;
    this.paths = o.paths;
    this.commands = o.commands ?? new SlurmCommands();
    this.pollMs = o.pollMs ?? 1000;
    this.statePollMs = o.statePollMs ?? 5000;
    this.onJob = o.onJob;
    this.onLog = o.onLog;
  }

  /** A handle that submits the run's job when the job manager sends `run`. */
  launch(l: SlurmLaunch): TrainerHandle {
    return new SlurmJobHandle(l.runId, this, l);
  }

  /** A handle following a job already submitted (picked up after a restart). */
  adopt(record: SlurmJobRecord): TrainerHandle {
    const h = SlurmJobHandle.following(this, record);
    this.follow(h);
    return h;
  }

  /** How many jobs this launcher follows. */
  get following(): number {
    return this.followed.size;
  }

  follow(h: SlurmJobHandle): void {
    h.following = true;
    this.followed.add(h);
    if (!this.timer) {
      this.lastStatePoll = 0;
      this.timer = setInterval(() => void this.tick(), this.pollMs);
    }
    // Catch up at once (a restarted host has a backlog of epochs to record).
    setImmediate(() => h.pump());
  }

  unfollow(h: SlurmJobHandle): void {
    h.following = false;
    this.followed.delete(h);
    if (this.followed.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** The next tick asks Slurm for states, whatever the period says. */
  pollSoon(): void {
    this.lastStatePoll = 0;
  }

  announce(h: SlurmJobHandle): void {
    const job = h.view();
    if (job) this.onJob?.(h.runId, job);
  }

  log(runId: string, level: 'warn' | 'error', message: string): void {
    this.onLog?.(runId, level, message);
  }

  async cancelJob(h: SlurmJobHandle, kill: boolean): Promise<void> {
    if (!h.jobId) return;
    try {
      await this.commands.scancel(h.jobId, kill ? 'KILL' : undefined);
    } catch (e) {
      this.log(h.runId, 'error', e instanceof Error ? e.message : String(e));
    }
  }

  private async tick(): Promise<void> {
    for (const h of [...this.followed]) h.pump();
    if (this.polling || Date.now() - this.lastStatePoll < this.statePollMs) return;
    this.polling = true;
    this.lastStatePoll = Date.now();
    try {
      await this.pollStates();
    } finally {
      this.polling = false;
    }
  }

  /** One squeue for every followed job; scontrol, then sacct, for those it no longer lists. */
  private async pollStates(): Promise<void> {
    const handles = [...this.followed].filter((h) => h.jobId !== null);
    if (handles.length === 0) return;
    try {
      const known = await this.commands.squeue(handles.map((h) => h.jobId!));
      for (const h of handles) {
        let status = known.get(h.jobId!) ?? null;
        if (status === null) status = (await this.commands.scontrol(h.jobId!)) ?? (await this.commands.sacct(h.jobId!));
        h.observe(status);
      }
      if (this.unreachable) for (const h of handles) this.log(h.runId, 'warn', `Slurm answers again; following job ${h.jobId}.`);
      this.unreachable = false;
    } catch (e) {
      // Keep following: the job trains on whether or not its controller answers right now.
      if (!this.unreachable) for (const h of handles) this.log(h.runId, 'warn', `${e instanceof Error ? e.message : String(e)} Job ${h.jobId} is still followed; its messages are recorded as they arrive.`);
      this.unreachable = true;
    }
  }

  /** Stops polling (the handles' jobs go on). */
  shutdown(): void {
    for (const h of [...this.followed]) this.unfollow(h);
  }
}
