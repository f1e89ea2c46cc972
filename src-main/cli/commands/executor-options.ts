/**
 * `--executor local|slurm` and the `--slurm-*` flags, shared by `ffr train`, `ffr runs resume` and
 * `ffr study run`. A Slurm flag left out takes the stored default (`ffr slurm settings`); given as
 * an empty string it clears that default for this run.
 */
import type { Command } from 'commander';
import { EXECUTORS, type Executor } from '../../shared/executor';
import type { ExecutionRequest } from '../../services/runs';
import { choiceOption, numberOption } from '../options';

export interface ExecutorFlags {
  executor?: Executor;
  slurmPartition?: string;
  slurmTime?: string;
  slurmCpus?: number;
  slurmGpus?: string;
  slurmMem?: string;
  slurmSetup?: string;
  slurmArgs?: string;
}

const SLURM_FLAGS = {
  slurmPartition: ['--slurm-partition', 'partition'],
  slurmTime: ['--slurm-time', 'time'],
  slurmCpus: ['--slurm-cpus', 'cpus'],
  slurmGpus: ['--slurm-gpus', 'gpus'],
  slurmMem: ['--slurm-mem', 'mem'],
  slurmSetup: ['--slurm-setup', 'setup'],
  slurmArgs: ['--slurm-args', 'args'],
} as const;

/** `defaultExecutor`: omit for commands where "not given" means "as before" (resume). */
export function addExecutorOptions(cmd: Command, defaultExecutor?: Executor): Command {
  return cmd
    .option('--executor <name>', `where the trainer runs: ${EXECUTORS.join(' or ')}${defaultExecutor ? ` (default ${defaultExecutor})` : ' (default: as before)'}`, choiceOption('--executor', EXECUTORS))
    .option('--slurm-partition <name>', 'Slurm partition (sbatch --partition)')
    .option('--slurm-time <limit>', 'Slurm time limit, e.g. 2:00:00 (sbatch --time)')
    .option('--slurm-cpus <n>', 'CPUs for the trainer (sbatch --cpus-per-task)', numberOption('--slurm-cpus', { integer: true, min: 1, max: 4096 }))
    .option('--slurm-gpus <n>', 'GPUs, e.g. 1 or a100:1 (sbatch --gpus)')
    .option('--slurm-mem <amount>', 'memory, e.g. 8G (sbatch --mem)')
    .option('--slurm-setup <lines>', 'shell lines run on the node before the trainer (module loads …)')
    .option('--slurm-args <args>', "more sbatch options, split like a shell would (\"--qos=high --account='my group'\")");
}

/** The execution the flags ask for; refuses Slurm flags without --executor slurm. */
export function executionFromFlags(o: ExecutorFlags, previous?: Executor): ExecutionRequest {
  const given = (Object.keys(SLURM_FLAGS) as Array<keyof typeof SLURM_FLAGS>).filter((k) => o[k] !== undefined);
  const executor = o.executor ?? previous;
  if (given.length > 0 && executor !== 'slurm') {
    throw new Error(`${SLURM_FLAGS[given[0]!][0]} applies to --executor slurm only.`);
  }
  const slurm = Object.fromEntries(given.map((k) => [SLURM_FLAGS[k][1], o[k]]));
  return { ...(o.executor ? { executor: o.executor } : {}), ...(given.length > 0 ? { slurm } : {}) };
}
