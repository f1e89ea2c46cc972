/**
 * Where a run's trainer executes: `local` (a trainer process on this machine, started by the job
 * manager) or `slurm` (one sbatch job per run on a Slurm cluster; docs/slurm.md). The executor
 * never changes what is trained or recorded — a run's config is the same either way — only where.
 *
 * Runtime-free apart from zod: the renderer shows and edits these too.
 */
import { z } from 'zod';

export const EXECUTORS = ['local', 'slurm'] as const;
export const Executor = z.enum(EXECUTORS);
export type Executor = z.infer<typeof Executor>;

/** A Slurm time limit as sbatch accepts it: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
const TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/i;
/** Memory as sbatch's --mem takes it: a number with an optional K, M, G or T suffix. */
const MEMORY = /^\d+[KMGT]?$/i;
/** --gpus: a count, or type:count (a100:2). */
const GPUS = /^([A-Za-z0-9_.-]+:)?\d+$/;
/** Partition names: one or several, comma-separated; no spaces or shell characters. */
const PARTITION = /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/;

const noNewline = (what: string) => z.string().refine((s) => !/[\r\n\0]/.test(s), `${what} must be one line`);

/**
 * What a Slurm job asks for. Every field is optional: an omitted one is left to the cluster's
 * defaults (or to the stored default settings, see SlurmDefaults).
 */
export const SlurmSettings = z.object({
  partition: z.string().trim().regex(PARTITION, 'must be a partition name (letters, digits, _ . -; several separated by commas)').optional(),
  /** Time limit (sbatch --time), e.g. 30, 2:00:00 or 1-12:00:00. */
  time: z.string().trim().regex(TIME, 'must be a Slurm time limit such as 30, 2:00:00 or 1-12:00:00').optional(),
  /** CPUs for the trainer (sbatch --cpus-per-task). */
  cpus: z.number().int().min(1).max(4096).optional(),
  /** GPUs (sbatch --gpus), e.g. 1 or a100:2. */
  gpus: z.string().trim().regex(GPUS, 'must be a GPU count such as 1, or type:count such as a100:2').optional(),
  /** Memory per node (sbatch --mem), e.g. 8G. */
  mem: z.string().trim().regex(MEMORY, 'must be an amount such as 8G or 16000M').optional(),
  /** Shell lines run on the node before the trainer (module loads, conda activate …). */
  setup: z.string().max(10_000).refine((s) => !s.includes('\0'), 'must not contain NUL characters').optional(),
  /** More sbatch options, as a shell would split them (`--qos=high --account='my group'`). */
  args: noNewline('Extra sbatch arguments').pipe(z.string().max(2000)).optional(),
});
export type SlurmSettings = z.infer<typeof SlurmSettings>;

/**
 * The stored defaults: the job settings above, plus where jobs keep their files and what runs the
 * trainer on a node. Persisted in the store (`settings` table, key `slurm`).
 */
export const SlurmDefaults = SlurmSettings.extend({
  /**
   * The shared folder for job data (job description, messages, output, checkpoints until the
   * host has copied them). Must be visible under the same path on the submit host and the nodes.
   * Default: `<data directory>/slurm-jobs`.
   */
  jobRoot: z.string().trim().min(1).refine((s) => s.startsWith('/'), 'must be an absolute path').optional(),
  /** The Node.js binary on the nodes; default: the one running the host (a shared install), else `node` on the PATH. */
  node: noNewline('The Node.js path').pipe(z.string().trim().min(1)).optional(),
});
export type SlurmDefaults = z.infer<typeof SlurmDefaults>;

/** Slurm job states (squeue/scontrol `JobState`), as the workbench shows them. */
export const SLURM_ACTIVE_STATES = ['SUBMITTED', 'PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT'] as const;

/** A run's Slurm job as the UI and `--json` show it (the latest attempt's). */
export const SlurmJob = z.object({
  jobId: z.string(),
  /** Attempt number: 1 for the first submission, +1 per resume. */
  attempt: z.number().int().min(1),
  /** Slurm's state as last seen (SUBMITTED before Slurm first answered). */
  state: z.string(),
  /** Slurm's reason for a pending job (Resources, Priority …) or the end (NonZeroExitCode …). */
  reason: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.number().int().nullable(),
  jobDir: z.string(),
  submittedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type SlurmJob = z.infer<typeof SlurmJob>;

/** Whether a Slurm state means the job may still run (or has not been seen yet). */
export function isActiveSlurmState(state: string): boolean {
  return (SLURM_ACTIVE_STATES as readonly string[]).includes(state);
}

/**
 * The fresher of two records of one run's Slurm job: a later attempt, else an ended job over one
 * not yet ended, else `read`. A view that re-reads a run while `run-slurm` events arrive needs it: an
 * answer read before the job's end was recorded must not replace the end an event already brought.
 */
export function fresherSlurmJob(read: SlurmJob | null, seen: SlurmJob | null): SlurmJob | null {
  if (!seen || !read) return read ?? seen;
  if (seen.attempt !== read.attempt) return seen.attempt > read.attempt ? seen : read;
  return seen.endedAt !== null && read.endedAt === null ? seen : read;
}
