/**
 * The trainer's job-folder transport (Slurm): no host process runs on the node, so instead of IPC
 * the trainer reads its job from `<job folder>/job.json` and appends every message to
 * `messages.jsonl` as one JSON line. The host (on another machine, through a shared filesystem)
 * reads the file by byte offset and is the only one that writes the database.
 *
 * Durability: `started`, every `epoch` and the final message are fsynced before the trainer goes
 * on, so what the host may ingest after a crash of the node is whole lines, and an epoch's line is
 * on disk before the next epoch starts. Progress lines are throttled to one per second (they only
 * drive the progress bar) and not fsynced. A line is written with one write() call, so a reader
 * sees either none of it or, once the newline is there, all of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JOB_FOLDER, TrainerJob, type TrainerMessage } from './protocol';

export interface JobFolderTransport {
  /** Appends one message (fsynced when it matters); a final message ends the process. */
  post(message: TrainerMessage): void;
  /** The job to run, as the host wrote it. */
  readJob(): TrainerJob;
}

const PROGRESS_EVERY_MS = 1000;

export function jobFolderTransport(dir: string, exit: (code: number) => never = (c) => process.exit(c)): JobFolderTransport {
  const file = path.join(dir, JOB_FOLDER.messages);
  const fd = fs.openSync(file, 'a');
  let lastProgress = 0;
  return {
    readJob() {
      const jobFile = path.join(dir, JOB_FOLDER.job);
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(jobFile, 'utf8'));
      } catch (e) {
        throw new Error(`The job file ${jobFile} cannot be read: ${e instanceof Error ? e.message : String(e)}.`);
      }
      const parsed = TrainerJob.safeParse(raw);
      if (!parsed.success) throw new Error(`The job file ${jobFile} is not a valid job: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
      if (parsed.data.kind !== 'train') throw new Error(`The job file ${jobFile} holds a ${parsed.data.kind} job; only train jobs run in a job folder.`);
      return parsed.data;
    },
    post(message) {
      if (message.type === 'progress') {
        const now = Date.now();
        if (message.step !== message.steps && now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
      }
      fs.writeSync(fd, `${JSON.stringify(message)}\n`);
      if (message.type === 'started' || message.type === 'epoch' || message.type === 'done' || message.type === 'failed') fs.fsyncSync(fd);
      // Nobody answers with `exit` here: the line is on disk, which is all the host needs. The
      // exit code tells Slurm (and sacct) whether the job did its work.
      if (message.type === 'done' || message.type === 'failed') {
        fs.closeSync(fd);
        exit(message.type === 'failed' ? 1 : 0);
      }
    },
  };
}
