/**
 * Test helpers for the Slurm executor against a real cluster (scripts/slurm/local-cluster.sh, which
 * .ci/run starts): why the cluster tests must skip here, if they must, and waiting for a condition.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Null when Slurm's client commands and a cluster configuration are present (the tests then run,
 * and fail if the cluster does not answer); otherwise the reason to skip, for the test's name.
 */
export function slurmSkipReason(): string | null {
  if (spawnSync('sbatch', ['--version'], { encoding: 'utf8' }).error) return 'sbatch is not installed (apt-get install slurm-wlm munge)';
  const conf = process.env['SLURM_CONF'];
  if (conf ? !fs.existsSync(conf) : !fs.existsSync('/etc/slurm/slurm.conf')) {
    return 'no Slurm cluster is configured (SLURM_CONF unset: start one with scripts/slurm/local-cluster.sh start)';
  }
  return null;
}

export async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 120_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Slurm's own record of a job: `scontrol show job -o`'s JobState and ExitCode. */
export function slurmReport(jobId: string): { state: string; exitCode: string } | null {
  const r = spawnSync('scontrol', ['show', 'job', '-o', jobId], { encoding: 'utf8', timeout: 30_000 });
  const state = /JobState=(\S+)/.exec(r.stdout)?.[1];
  const exit = / ExitCode=(\S+)/.exec(r.stdout)?.[1];
  if (state && exit) return { state, exitCode: exit };
  const acct = spawnSync('sacct', ['-c', '-j', jobId, '-P', '-n', '-o', 'JobID,State,ExitCode'], { encoding: 'utf8', timeout: 30_000 });
  const line = acct.stdout.split('\n').find((l) => l.startsWith(`${jobId}|`));
  if (!line) return null;
  const [, s, e] = line.split('|');
  return { state: s!.split(' ')[0]!, exitCode: e! };
}
