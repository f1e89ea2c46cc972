/**
 * The host's side of a job folder on the shared filesystem (the trainer's side is
 * trainer/job-folder.ts): `<job root>/<run id>/attempt-<n>/` holds
 *
 *   job.json        the TrainJob (written by the host before sbatch)
 *   run.sh          the batch script
 *   start.ffrm      the model or checkpoint the attempt starts from, when it does not start fresh
 *   messages.jsonl  the trainer's messages, one JSON line each (appended by the trainer)
 *   checkpoints/    the trainer's checkpoints; the host copies each into the data directory
 *   slurm-<id>.out  the job's output (Slurm writes it)
 *   cancel          raised by the host to stop the trainer at its next step
 *
 * The host reads `messages.jsonl` by byte offset and only ever takes complete lines, so a line the
 * trainer is still writing is read at the next poll. It never relies on file-change notifications,
 * which network filesystems do not deliver.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JOB_FOLDER } from '../../trainer/protocol';

export function jobFolder(root: string, runId: string, attempt: number): string {
  return path.join(root, runId, `attempt-${attempt}`);
}

/** Writes a file whole (temporary file + rename), so a node never reads half of it. */
export function writeFileAtomically(file: string, text: string, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

export interface MessageLine {
  /** The line without its newline. */
  text: string;
  /** Byte offset just after the line's newline: where the next read starts. */
  end: number;
}

/** The complete lines of `file` from byte `offset` on (none when the file does not exist yet). */
export function readCompleteLines(file: string, offset: number, maxBytes = 16 * 1024 * 1024): MessageLine[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return [];
    const length = Math.min(size - offset, maxBytes);
    const buf = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = fs.readSync(fd, buf, read, length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    const lines: MessageLine[] = [];
    let start = 0;
    for (let i = 0; i < read; i++) {
      if (buf[i] !== 0x0a) continue;
      lines.push({ text: buf.toString('utf8', start, i), end: offset + i + 1 });
      start = i + 1;
    }
    return lines;
  } finally {
    fs.closeSync(fd);
  }
}

export function messagesFile(dir: string): string {
  return path.join(dir, JOB_FOLDER.messages);
}

/** The last `bytes` of the job's output file (Slurm's `slurm-<id>.out`), or '' if there is none. */
export function outputTail(dir: string, jobId: string | null, bytes = 4000): string {
  const file = jobId ? path.join(dir, `slurm-${jobId}.out`) : null;
  if (!file) return '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(0, size - bytes);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Raises the trainer's cancel flag (it checks for the file at every step). */
export function raiseCancelFlag(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, JOB_FOLDER.cancel), 'cancel');
  } catch {
    // scancel is sent as well; the flag only makes the stop polite.
  }
}
