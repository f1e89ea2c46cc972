/**
 * Trainer process entry. Started by the host's job manager as an Electron utilityProcess or, under
 * plain Node, with child_process.fork; runs one job and exits. tfjs lives only here, so a crash or
 * an out-of-memory in training cannot take the host (and its database writer) down.
 */
import fs from 'node:fs';
import { HOST_GONE_EXIT_CODE, watchHost } from './host-watch';
import { HostMessage, type TrainerMessage } from './protocol';
import type { JobContext } from './jobs/context';
import { runTrainJob } from './jobs/train';
import { toolJobHandlers } from './jobs/tools';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

// Electron's utilityProcess exposes process.parentPort; child_process.fork gives process.send.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

/*
 * Test hooks (fault injection for the job manager's tests; never set in normal use):
 * - FFR_TRAINER_CRASH_AFTER_EPOCH=N: after reporting epoch N, stop sending and exit with code 3,
 *   as a crash would (no `done`/`failed` message).
 * - FFR_TRAINER_IGNORE_CANCEL=1: ignore the polite cancel, so the host has to kill the process.
 */
const crashAfterEpoch = Number(process.env.FFR_TRAINER_CRASH_AFTER_EPOCH ?? '0');
const ignoreCancel = process.env.FFR_TRAINER_IGNORE_CANCEL === '1';
let crashing = false;

function send(message: TrainerMessage, flushed?: () => void): void {
  if (parentPort) {
    parentPort.postMessage(message);
    if (flushed) setTimeout(flushed, 50);
  } else if (process.send) {
    if (flushed) process.send(message, undefined, {}, () => flushed());
    else process.send(message);
  }
}

function post(message: TrainerMessage): void {
  if (crashing) return;
  if (crashAfterEpoch > 0 && message.type === 'epoch' && message.record.metrics.epoch >= crashAfterEpoch) {
    crashing = true;
    send(message, () => process.exit(3));
    return;
  }
  send(message);
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
const host = watchHost();
function exitIfHostGone(): void {
  if (host.gone()) process.exit(HOST_GONE_EXIT_CODE);
}
setInterval(exitIfHostGone, 500).unref();

function isCancelled(): boolean {
  exitIfHostGone();
  if (!cancelled && !ignoreCancel && cancelFile && fs.existsSync(cancelFile)) cancelled = true;
  return cancelled;
}

const ctx: JobContext = { post, isCancelled };

async function handle(raw: unknown): Promise<void> {
  const parsed = HostMessage.safeParse(raw);
  if (!parsed.success) {
    post({ type: 'failed', error: `The trainer received a malformed message: ${parsed.error.issues[0]?.message ?? 'invalid'}.` });
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    if (!ignoreCancel) cancelled = true;
    return;
  }
  if (started) return;
  started = true;
  try {
    const job = message.job;
    if (job.kind === 'train') await runTrainJob(job, ctx);
    else {
      const handler = toolJobHandlers[job.kind];
      if (!handler) throw new Error(`This trainer cannot run "${job.kind}" jobs.`);
      await handler(job, ctx);
    }
  } catch (e) {
    post({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
  }
  // Let the last message flush before exiting.
  setTimeout(() => process.exit(0), 50);
}

if (parentPort) parentPort.on('message', (event) => void handle(event.data));
else process.on('message', (m) => void handle(m));

// The IPC channel closed (seen when the event loop runs): the host is gone or let us go.
process.on('disconnect', () => process.exit(HOST_GONE_EXIT_CODE));
