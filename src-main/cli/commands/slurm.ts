/** `ffr slurm settings`: the stored defaults of Slurm jobs (the data directory's database). */
import type { Command } from 'commander';
import { SlurmDefaults } from '../../shared/executor';
import type { App } from '../../services/app';
import { saveSlurmDefaults, slurmDefaults } from '../../services/slurm/settings';
import { numberOption } from '../options';
import { info, printJson } from '../output';

interface SettingsFlags {
  partition?: string;
  time?: string;
  cpus?: number;
  gpus?: string;
  mem?: string;
  setup?: string;
  args?: string;
  jobRoot?: string;
  node?: string;
  json?: boolean;
}

export function registerSlurm(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  const slurm = program.command('slurm').description('the Slurm executor (docs/slurm.md)');
  slurm
    .command('settings')
    .description("show or change the defaults of Slurm jobs (stored in the data directory's database); an empty value clears one")
    .option('--partition <name>', 'partition')
    .option('--time <limit>', 'time limit, e.g. 2:00:00')
    .option('--cpus <n>', 'CPUs per job', numberOption('--cpus', { integer: true, min: 1, max: 4096 }))
    .option('--gpus <n>', 'GPUs per job, e.g. 1 or a100:1')
    .option('--mem <amount>', 'memory per job, e.g. 8G')
    .option('--setup <lines>', 'shell lines before the trainer (module loads …)')
    .option('--args <args>', 'more sbatch options')
    .option('--job-root <dir>', 'shared folder for job data, visible under the same path on the nodes (default <data dir>/slurm-jobs)')
    .option('--node <path>', 'Node.js on the nodes (default: the one running ffr)')
    .option('--json', 'print one JSON document')
    .action((o: SettingsFlags) =>
      withApp(async (app) => {
        const { json, ...given } = o;
        let settings = slurmDefaults(app.store);
        if (Object.keys(given).length > 0) {
          const next: Record<string, unknown> = { ...settings };
          for (const [k, v] of Object.entries(given)) {
            if (v === '') delete next[k];
            else next[k] = v;
          }
          settings = saveSlurmDefaults(app.store, next);
        }
        if (json) return printJson({ settings });
        const keys = Object.keys(SlurmDefaults.shape) as Array<keyof SlurmDefaults>;
        for (const k of keys) info(`${k.padEnd(10)} ${settings[k] === undefined ? '(cluster default)' : JSON.stringify(settings[k])}`);
      }),
    );
}
