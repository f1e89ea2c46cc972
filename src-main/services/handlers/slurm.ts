/** slurm.* methods: the stored defaults of Slurm jobs. */
import { saveSlurmDefaults, slurmDefaults } from '../slurm/settings';
import type { DomainHandlers, HandlerContext } from './types';

export function slurmHandlers({ app }: HandlerContext): DomainHandlers<'slurm'> {
  return {
    'slurm.settings': () => slurmDefaults(app.store),
    'slurm.saveSettings': (settings) => saveSlurmDefaults(app.store, settings),
  };
}
