/**
 * Trainer process entry. Started by the host's job manager as an Electron utilityProcess or, under
 * plain Node, with child_process.fork; runs one job and exits. tfjs lives only here, so a crash or
 * an out-of-memory in training cannot take the host (and its database writer) down.
 *
 * In a Slurm job (FFR_TRAINER_TRANSPORT=file) the same entry runs headless on a compute node: the
 * job comes from the job folder and the messages go into it (job-folder.ts). There is no host
 * process on that machine, so there is no host watch: such a trainer stops on the cancel file in
 * its job folder, on Slurm's signals (scancel, the time limit: SIGTERM ends the process, whose
 * checkpoints are renamed into place complete) or when its job is done.
 */
import fs from 'node:fs';
import { DatasetError } from '../catalog/datasets/errors';
import { HOST_GONE_EXIT_CODE, watchHost, type HostWatch } from './host-watch';
import { jobFolderTransport } from './job-folder';
import { HostMessage, JOB_FOLDER, ToolResult, isFinalMessage, type ToolJob, type TrainerJob, type TrainerMessage } from './protocol';
import type { JobContext } from './jobs/context';
import { toolJobHandlers, type ToolJobHandler } from './jobs/tools';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

// Electron's utilityProcess exposes process.parentPort; child_process.fork gives process.send.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

// A Slurm job: messages go into the job folder instead of a channel to a host.
const jobDir = process.env[JOB_FOLDER.transportEnv] === 'file' ? process.env[JOB_FOLDER.dirEnv] : undefined;
if (process.env[JOB_FOLDER.transportEnv] === 'file' && !jobDir) {
  process.stderr.write(`${JOB_FOLDER.transportEnv}=file needs ${JOB_FOLDER.dirEnv}, the job folder.\n`);
  process.exit(2);
}
const folder = jobDir ? jobFolderTransport(jobDir) : null;

/*
 * Test hooks (fault injection for the job manager's tests; never set in normal use):
 * - FFR_TRAINER_CRASH_AFTER_EPOCH=N: after reporting epoch N, stop sending and exit with code 3,
 *   as a crash would (no `done`/`failed` message).
 * - FFR_TRAINER_IGNORE_CANCEL=1: ignore the polite cancel, so the host has to kill the process.
 */
const crashAfterEpoch = Number(process.env.FFR_TRAINER_CRASH_AFTER_EPOCH ?? '0');
const ignoreCancel = process.env.FFR_TRAINER_IGNORE_CANCEL === '1';
let crashing = false;

/**
 * Sends a message; `sent` runs once Node has written it to the IPC channel. Electron's parentPort
 * gives no such signal, so there `sent` only waits for the next turn of the event loop: the one
 * user, the crash hook below, is for the Node launcher's tests.
 */
function send(message: TrainerMessage, sent?: () => void): void {
  if (folder) {
    folder.post(message);
    if (sent) setImmediate(sent);
  } else if (parentPort) {
    parentPort.postMessage(message);
    if (sent) setImmediate(sent);
  } else if (process.send) {
    if (sent) process.send(message, undefined, {}, () => sent());
    else process.send(message);
  }
}

/** How long a trainer waits for the host's `exit` after its final message before leaving anyway. */
const EXIT_WAIT_MS = 10_000;

function post(message: TrainerMessage): void {
  if (crashing) return;
  if (crashAfterEpoch > 0 && message.type === 'epoch' && message.record.metrics.epoch >= crashAfterEpoch) {
    crashing = true;
    send(message, () => process.exit(3));
    return;
  }
  send(message);
  // The host answers the final message with `exit`; a host that never does (it hung, or died
  // without the disconnect reaching us) must not keep this process alive. (In a job folder the
  // final message has ended the process already.)
  if (isFinalMessage(message)) setTimeout(() => process.exit(0), EXIT_WAIT_MS);
}

let cancelled = false;
let started = false;

// Set by the host's launcher: a file whose existence means "cancel" (see cancelFlag in
// services/trainer-launcher.ts). Checked at every step, because the training loop is synchronous
// and the IPC cancel message is only read when the loop yields at the end of an epoch.
const cancelFile = process.env.FFR_TRAINER_CANCEL_FILE;

// The host went away (killed, crashed): nothing would record our results, and a restarted host may
// resume the run, so stop at once rather than train on (see host-watch.ts). Checked at every step
// through isCancelled, and by a timer for the phases where the event loop runs (data loading, tool
// jobs); exiting mid-epoch loses nothing recorded: checkpoints are renamed into place complete.
// A Slurm job has no host on its node to watch (see the top of this file).
const host: HostWatch | null = folder ? null : watchHost();
function exitIfHostGone(): void {
  if (host?.gone()) process.exit(HOST_GONE_EXIT_CODE);
}
if (host) setInterval(exitIfHostGone, 500).unref();

function isCancelled(): boolean {
  exitIfHostGone();
  if (!cancelled && !ignoreCancel && cancelFile && fs.existsSync(cancelFile)) cancelled = true;
  return cancelled;
}

const ctx: JobContext = { post, isCancelled };

/** Runs a tool job's handler and validates its result with the schema the host will check it with. */
async function runToolJob(job: ToolJob): Promise<void> {
  const handler = (await toolJobHandlers[job.kind]()) as ToolJobHandler<typeof job.kind>;
  const value = await handler(job.payload as never, ctx);
  post({ type: 'result', result: ToolResult.parse({ kind: job.kind, value }) });
  post({ type: 'done', status: 'completed' });
}

async function handle(raw: unknown): Promise<void> {
  const parsed = HostMessage.safeParse(raw);
  if (!parsed.success) {
    post({ type: 'failed', error: `The trainer received a malformed message: ${parsed.error.issues[0]?.message ?? 'invalid'}.` });
    return;
  }
  const message = parsed.data;
  if (message.type === 'exit') process.exit(0);
  if (message.type === 'cancel') {
    if (!ignoreCancel) cancelled = true;
    return;
  }
  if (started) return;
  started = true;
  try {
    const job = message.job;
    // Imported here, not at the top: a tool job that needs no tfjs (a dataset read) never loads it.
    if (job.kind === 'train') await (await import('./jobs/train')).runTrainJob(job, ctx);
    else await runToolJob(job);
  } catch (e) {
    post({ type: 'failed', error: e instanceof Error ? e.message : String(e), ...(e instanceof DatasetError ? { code: 'invalid-input' as const } : {}) });
  }
}

if (folder) {
  let job: TrainerJob;
  try {
    job = folder.readJob();
  } catch (e) {
    post({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
    throw e; // not reached: the final message ended the process
  }
  void handle({ type: 'run', job });
} else {
  if (parentPort) parentPort.on('message', (event) => void handle(event.data));
  else process.on('message', (m) => void handle(m));
  // The IPC channel closed (seen when the event loop runs): the host is gone or let us go.
  process.on('disconnect', () => process.exit(HOST_GONE_EXIT_CODE));
}
