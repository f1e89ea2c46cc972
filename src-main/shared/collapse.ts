/**
 * When a run has collapsed: a λ too large (or a learning rate) that leaves the network guessing, or
 * that wrecks an accuracy it had reached. One definition, used by the host's summaries (runs table,
 * compare, `ffr runs show`) and the run page, documented in docs/ui.md:
 *
 * - **near chance**: the final test accuracy recovered less than a quarter of the way from chance
 *   (1 / classes) to 100 %: accuracy < chance + 0.25 · (1 − chance). For 10 classes that is below
 *   32.5 % (the λ_len = 2 LeNet-5 run at 22 % is flagged); for 100 classes below 25.75 %.
 * - **dropped**: the final test accuracy is at least 10 points below the run's best epoch.
 *
 * Judged on finished runs only (a run at its first epoch is not "collapsed", it is young).
 *
 * Runtime-free: the renderer imports this file.
 */
import { z } from 'zod';
import type { RunConfig } from './run-config';

/** Share of the way from chance to 100 % a run must get for its accuracy not to count as near chance. */
export const NEAR_CHANCE_SHARE = 0.25;
/** Points (as a fraction) below the best epoch that count as a drop. */
export const DROP_FROM_BEST = 0.1;

export const Collapse = z.object({
  kind: z.enum(['near-chance', 'dropped']),
  /** One sentence saying what was seen, with the numbers. */
  message: z.string(),
});
export type Collapse = z.infer<typeof Collapse>;

export interface EpochAccuracy {
  epoch: number;
  testAccuracy: number;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

/**
 * Classes of a run's data from its config (what the trainer reports in modelInfo.classes is
 * preferred; this covers runs recorded before that): null for an image folder.
 */
export function classesFromConfig(config: Pick<RunConfig, 'dataset'>): number | null {
  const d = config.dataset;
  if (d.name === 'mnist' || d.name === 'cifar10') return 10;
  if (d.name === 'cifar100') return 100;
  if (d.name === 'synthetic') return d.classes ?? 10;
  return null;
}

/** The collapse of a finished run from its epochs' test accuracy, or null if it did not collapse. */
export function detectCollapse(epochs: readonly EpochAccuracy[], classes: number | null): Collapse | null {
  if (epochs.length === 0) return null;
  const ordered = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const final = ordered.at(-1)!;
  if (classes !== null && classes >= 2) {
    const chance = 1 / classes;
    const bar = chance + NEAR_CHANCE_SHARE * (1 - chance);
    if (final.testAccuracy < bar) {
      return {
        kind: 'near-chance',
        message: `Collapsed: the final test accuracy ${pct(final.testAccuracy)} is near chance (${pct(chance)} for ${classes} classes; below ${pct(bar)} counts as collapsed).`,
      };
    }
  }
  const best = ordered.reduce((b, e) => (e.testAccuracy > b.testAccuracy ? e : b));
  if (best.testAccuracy - final.testAccuracy >= DROP_FROM_BEST - 1e-12) {
    return {
      kind: 'dropped',
      message: `Collapsed: the final test accuracy ${pct(final.testAccuracy)} is ${((best.testAccuracy - final.testAccuracy) * 100).toFixed(1)} points below its best (${pct(best.testAccuracy)} at epoch ${best.epoch}).`,
    };
  }
  return null;
}
