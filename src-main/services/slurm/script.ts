/**
 * What is submitted: the batch script and sbatch's arguments (pure; unit-tested, quoting first).
 *
 * The job's resources (partition, time, CPUs, GPUs, memory, the user's extra arguments) go on
 * sbatch's command line as separate argv entries — never through a shell — and the script holds
 * only what runs on the node: the job-folder transport's environment, the user's setup lines and
 * the trainer. Every value written into the script is single-quoted (shell-quote), so a path with
 * spaces, quotes or `$` reaches the trainer as it is.
 */
import { parse, quote } from 'shell-quote';
import type { SlurmSettings } from '../../shared/executor';
import { JOB_FOLDER } from '../../trainer/protocol';

export interface BatchScriptInput {
  runId: string;
  attempt: number;
  /** The job folder (absolute, on the shared filesystem). */
  jobDir: string;
  /** The Node.js binary on the node. */
  node: string;
  /** Node's --import for TypeScript (tsx's loader, as a file URL). */
  loader: string;
  /** The trainer entry (src-main/trainer/main.ts), absolute. */
  entry: string;
  /** Shell lines before the trainer (--slurm-setup). */
  setup?: string | undefined;
}

/** Where Slurm writes the job's output (stdout and stderr), relative to the job folder; %j is the job id. */
export const OUTPUT_PATTERN = 'slurm-%j.out';

/** The batch script. */
export function batchScript(i: BatchScriptInput): string {
  const q = (s: string) => quote([s]);
  const setup = i.setup?.trim() ? `${i.setup.replace(/\r\n?/g, '\n').trimEnd()}\n` : '# (none)\n';
  return [
    '#!/bin/bash',
    `# FFR Workbench: run ${i.runId}, attempt ${i.attempt}. Written by the host that submitted it; the`,
    '# trainer writes its messages into this folder and the host records them (docs/slurm.md).',
    `export ${JOB_FOLDER.transportEnv}=file`,
    `export ${JOB_FOLDER.dirEnv}=${q(i.jobDir)}`,
    `export FFR_TRAINER_CANCEL_FILE=${q(`${i.jobDir}/${JOB_FOLDER.cancel}`)}`,
    '# No host process runs on this node: the trainer must not watch for one.',
    'unset FFR_HOST_PID',
    `cd ${q(i.jobDir)} || exit 1`,
    '# --- setup (--slurm-setup)',
    setup.trimEnd(),
    '# --- the trainer',
    `${q(i.node)} --import ${q(i.loader)} ${q(i.entry)}`,
    '',
  ].join('\n');
}

/** sbatch options the workbench sets itself; --slurm-args may not change them. */
const OWN_OPTIONS = ['--output', '-o', '--error', '-e', '--chdir', '-D', '--parsable', '--wrap', '--array', '-a', '--job-name', '-J', '--requeue', '--no-requeue', '--export'];

export class SlurmArgsError extends Error {
  override readonly name = 'SlurmArgsError';
}

/**
 * Splits --slurm-args as a shell would (quotes, backslashes), without running a shell: each word
 * becomes one sbatch argument. Refused: shell operators (`;`, `|`, `&&`, redirections), which would
 * be passed to sbatch as words, and the options the workbench sets itself.
 */
export function splitSlurmArgs(text: string | undefined): string[] {
  if (!text || text.trim() === '') return [];
  // Variables are kept literally ($X stays "$X"): nothing is expanded on the host.
  const words = parse(text, (name: string) => `$${name}`);
  const out: string[] = [];
  for (const w of words) {
    if (typeof w !== 'string' && 'op' in w && w.op === 'glob') {
      out.push(w.pattern); // no file names are expanded: `node*` reaches sbatch as it is
      continue;
    }
    if (typeof w !== 'string') {
      const op = 'op' in w ? String(w.op) : '#';
      throw new SlurmArgsError(`--slurm-args cannot contain the shell operator "${op}": give sbatch options only (e.g. --qos=high --account=proj).`);
    }
    out.push(w);
  }
  for (const w of out) {
    const name = w.startsWith('--') ? w.split('=')[0]! : w.startsWith('-') ? w.slice(0, 2) : null;
    if (name && OWN_OPTIONS.includes(name)) {
      throw new SlurmArgsError(`--slurm-args cannot set ${name}: the workbench sets it for every job (docs/slurm.md).`);
    }
  }
  return out;
}

export interface SbatchInput {
  runId: string;
  attempt: number;
  jobDir: string;
  scriptPath: string;
  settings: SlurmSettings;
}

/** The name jobs carry in squeue: `ffr-<run id>-a<attempt>`. */
export function jobName(runId: string, attempt: number): string {
  return `ffr-${runId}-a${attempt}`;
}

/** sbatch's argv (without "sbatch"). */
export function sbatchArgs(i: SbatchInput): string[] {
  const s = i.settings;
  return [
    '--parsable',
    `--job-name=${jobName(i.runId, i.attempt)}`,
    `--chdir=${i.jobDir}`,
    `--output=${i.jobDir}/${OUTPUT_PATTERN}`,
    // A requeued job would rerun the script into the same folder from scratch; an interrupted run
    // is resumed by the workbench instead (from its last checkpoint).
    '--no-requeue',
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.time ? [`--time=${s.time}`] : []),
    ...(s.cpus ? [`--cpus-per-task=${s.cpus}`] : []),
    ...(s.gpus ? [`--gpus=${s.gpus}`] : []),
    ...(s.mem ? [`--mem=${s.mem}`] : []),
    ...splitSlurmArgs(s.args),
    i.scriptPath,
  ];
}

/** sbatch --parsable prints `123` or `123;cluster`. */
export function parseSbatchOutput(stdout: string): string | null {
  const first = stdout.trim().split('\n').pop()?.trim() ?? '';
  const m = /^(\d+)(;\S+)?$/.exec(first);
  return m ? m[1]! : null;
}
