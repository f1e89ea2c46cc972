/**
 * Reading Slurm's answers (pure functions, unit-tested against output captured from Slurm 22.05):
 *
 * - `squeue --json` (OpenAPI v0.0.38) lists every job the controller still knows: it ignores
 *   `-j`/`-t`, so the caller filters by job id here; its `errors` array is checked; `exit_code` is
 *   a wait status (exit code in bits 8–15, signal in bits 0–6).
 * - `scontrol show job -o ID`: one line of Key=Value pairs (`JobState=FAILED … ExitCode=7:0 …
 *   StdOut=/path`), for a job squeue no longer lists.
 * - `sacct -P -n -o JobID,State,ExitCode`: `123|FAILED|7:0` (steps `123.batch` are skipped;
 *   a state may read `CANCELLED by 0`).
 *
 * And what a job's end means for its run (`runEnding`).
 */
import { z } from 'zod';
import type { FinishedStatus } from '../../shared/store-types';

/** One job as Slurm reports it. */
export interface SlurmJobStatus {
  jobId: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL … */
  state: string;
  reason: string | null;
  exitCode: number | null;
  signal: number | null;
  /** The job's output file (expanded), when Slurm says. */
  stdout: string | null;
}

export class SlurmParseError extends Error {
  override readonly name = 'SlurmParseError';
}

/** A wait status as squeue's `exit_code` holds it: exit code = status >> 8, signal = status & 0x7f. */
export function decodeWaitStatus(status: number): { exitCode: number; signal: number } {
  return { exitCode: (status >> 8) & 0xff, signal: status & 0x7f };
}

/** `7:0` (exit code : signal), as scontrol and sacct print it. */
export function parseExitPair(text: string): { exitCode: number; signal: number } | null {
  const m = /^(\d+):(\d+)$/.exec(text.trim());
  return m ? { exitCode: Number(m[1]), signal: Number(m[2]) } : null;
}

/** `CANCELLED by 0` → CANCELLED; `RUNNING` → RUNNING. */
export function normalizeState(text: string): string {
  return text.trim().split(/\s+/)[0]!.toUpperCase();
}

const SqueueJob = z
  .object({
    job_id: z.number().int(),
    job_state: z.string(),
    state_reason: z.string().nullable().optional(),
    exit_code: z.number().int().nullable().optional(),
    standard_output: z.string().nullable().optional(),
    array_job_id: z.number().int().nullable().optional(),
    array_task_id: z.number().int().nullable().optional(),
  })
  .passthrough();

const SqueueAnswer = z.object({
  errors: z.array(z.unknown()).default([]),
  jobs: z.array(z.unknown()),
});

/** The key a job is known by: `123`, or `123_4` for task 4 of array job 123. */
function squeueKey(job: z.infer<typeof SqueueJob>): string {
  if (job.array_job_id && job.array_task_id !== null && job.array_task_id !== undefined) return `${job.array_job_id}_${job.array_task_id}`;
  return String(job.job_id);
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    return String(o['description'] ?? o['error'] ?? o['message'] ?? JSON.stringify(e));
  }
  return String(e);
}

/** The jobs of `ids` in a `squeue --json` answer (those the controller still knows). */
export function parseSqueueJson(text: string, ids: Iterable<string>): Map<string, SlurmJobStatus> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SlurmParseError(`squeue --json answered something that is not JSON (${JSON.stringify(text.slice(0, 80))}).`);
  }
  const answer = SqueueAnswer.safeParse(raw);
  if (!answer.success) throw new SlurmParseError('squeue --json answered JSON without a "jobs" list.');
  if (answer.data.errors.length > 0) throw new SlurmParseError(`squeue reported an error: ${errorText(answer.data.errors[0])}.`);
  const wanted = new Set(ids);
  const found = new Map<string, SlurmJobStatus>();
  for (const entry of answer.data.jobs) {
    const job = SqueueJob.safeParse(entry);
    if (!job.success) continue; // a job record of a shape we do not know is not one of ours
    const key = squeueKey(job.data);
    const id = wanted.has(key) ? key : wanted.has(String(job.data.job_id)) ? String(job.data.job_id) : null;
    if (id === null) continue;
    const state = normalizeState(job.data.job_state);
    const ended = !['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT'].includes(state);
    const status = ended && job.data.exit_code !== null && job.data.exit_code !== undefined ? decodeWaitStatus(job.data.exit_code) : null;
    found.set(id, {
      jobId: id,
      state,
      reason: job.data.state_reason && job.data.state_reason !== 'None' ? job.data.state_reason : null,
      exitCode: status ? status.exitCode : null,
      signal: status ? status.signal : null,
      stdout: job.data.standard_output ? job.data.standard_output : null,
    });
  }
  return found;
}

/** Key=Value pairs of one `scontrol show job -o` line (values run to the next ` Key=`). */
export function scontrolFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  // Keys are words (with / : allowed, e.g. CPUs/Task, AllocNode:Sid); a value may contain spaces
  // only in a few fields (Command with arguments), so split at " Key=" boundaries.
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=/g;
  const marks: Array<{ key: string; start: number; valueStart: number }> = [];
  for (let m = re.exec(line); m; m = re.exec(line)) marks.push({ key: m[1]!, start: m.index, valueStart: m.index + m[0].length });
  marks.forEach((mark, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.start : line.length;
    if (!fields.has(mark.key)) fields.set(mark.key, line.slice(mark.valueStart, end).trim());
  });
  return fields;
}

/** A job from `scontrol show job -o ID`; null when the answer is not a job line. */
export function parseScontrolJob(text: string): SlurmJobStatus | null {
  const line = text.split('\n').find((l) => l.startsWith('JobId='));
  if (!line) return null;
  const f = scontrolFields(line);
  const state = f.get('JobState');
  const id = f.get('JobId');
  if (!state || !id) return null;
  const arrayJob = f.get('ArrayJobId');
  const arrayTask = f.get('ArrayTaskId');
  const exit = parseExitPair(f.get('ExitCode') ?? '');
  const reason = f.get('Reason');
  const stdout = f.get('StdOut');
  return {
    jobId: arrayJob && arrayTask && /^\d+$/.test(arrayTask) ? `${arrayJob}_${arrayTask}` : id,
    state: normalizeState(state),
    reason: reason && reason !== 'None' && reason !== '(null)' ? reason : null,
    exitCode: exit ? exit.exitCode : null,
    signal: exit ? exit.signal : null,
    stdout: stdout && stdout !== '(null)' ? stdout : null,
  };
}

/** A job from `sacct -P -n -o JobID,State,ExitCode` (its allocation line, not its steps); null if absent. */
export function parseSacct(text: string, jobId: string): SlurmJobStatus | null {
  for (const line of text.split('\n')) {
    const [id, state, exit] = line.trim().split('|');
    if (id !== jobId || !state) continue;
    const pair = parseExitPair(exit ?? '');
    return { jobId, state: normalizeState(state), reason: null, exitCode: pair?.exitCode ?? null, signal: pair?.signal ?? null, stdout: null };
  }
  return null;
}

/** What a Slurm job's end means for its run, when the trainer left no final message. */
export interface RunEnding {
  status: FinishedStatus;
  error: string | null;
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

function withOutput(sentence: string, tail: string): string {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-3);
  return lines.length > 0 ? `${sentence} Last lines of its output: ${lines.join(' | ').slice(0, 600)}` : sentence;
}

/**
 * The run's status for a job that ended without the trainer's final message (`done`/`failed`):
 * CANCELLED → cancelled; TIMEOUT, PREEMPTED, NODE_FAIL, BOOT_FAIL, DEADLINE → interrupted (not the
 * run's fault: resume continues from the last checkpoint); FAILED, OUT_OF_MEMORY and anything else
 * → failed, with the exit code or signal and the last lines of the job's output. `null` status:
 * Slurm no longer knows the job (and no accounting remembers it).
 */
export function runEnding(jobId: string, s: SlurmJobStatus | null, outputTail: string): RunEnding {
  if (s === null) {
    return { status: 'interrupted', error: withOutput(`Slurm no longer knows job ${jobId}, and it left no final message; resume continues from the last checkpoint.`, outputTail) };
  }
  const code = s.exitCode ?? null;
  const signal = s.signal ? `signal ${SIGNALS[s.signal] ?? s.signal}` : null;
  switch (s.state) {
    case 'CANCELLED':
      return { status: 'cancelled', error: null };
    case 'TIMEOUT':
      return { status: 'interrupted', error: `Slurm job ${jobId} reached its time limit; resume continues from the last checkpoint (ask for more time with --slurm-time).` };
    case 'PREEMPTED':
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
    case 'DEADLINE':
      return { status: 'interrupted', error: withOutput(`Slurm job ${jobId} ended ${s.state}${s.reason ? ` (${s.reason})` : ''}; resume continues from the last checkpoint.`, outputTail) };
    case 'OUT_OF_MEMORY':
      return { status: 'failed', error: withOutput(`Slurm job ${jobId} ran out of memory (OUT_OF_MEMORY); ask for more with --slurm-mem or use a smaller batch.`, outputTail) };
    case 'COMPLETED':
      return { status: 'failed', error: withOutput(`Slurm job ${jobId} completed, but its trainer left no final message.`, outputTail) };
    default: {
      const how = signal ? `was killed by ${signal}` : code !== null ? `failed with exit code ${code}` : `ended ${s.state}`;
      return { status: 'failed', error: withOutput(`Slurm job ${jobId} ${how}${s.state !== 'FAILED' ? ` (${s.state})` : ''}.`, outputTail) };
    }
  }
}
