/**
 * Trainer process entry. Started by the host's job manager as an Electron utilityProcess or, under
 * plain Node, with child_process.fork; runs one job and exits. tfjs lives only here, so a crash or
 * an out-of-memory in training cannot take the host (and its database writer) down.
 */
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

function post(message: TrainerMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

let cancelled = false;
let started = false;

const ctx: JobContext = { post, isCancelled: () => cancelled };

async function handle(raw: unknown): Promise<void> {
  const parsed = HostMessage.safeParse(raw);
  if (!parsed.success) {
    post({ type: 'failed', error: `The trainer received a malformed message: ${parsed.error.issues[0]?.message ?? 'invalid'}.` });
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    cancelled = true;
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

// The host went away (killed, crashed): nothing would record our results, so stop.
process.on('disconnect', () => process.exit(1));
