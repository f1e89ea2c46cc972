/**
 * The knee of a sensitivity sweep: how far pruning can go before accuracy falls by more than a
 * tolerance below the UNPRUNED model measured on the same images (the sweep's reference), never
 * below the sweep's first point, which may already have pruned something. The Prune page puts its
 * slider there; a study's validation-chosen threshold (`--prune within=…`) is the same rule.
 *
 * Runtime-free: the renderer and the host both import it.
 */

/** One point of a sweep, as far as the knee cares. */
export interface KneePoint {
  accuracy: number;
}

/** One point of accuracy: the default tolerance of the Prune page's knee. */
export const DEFAULT_KNEE_TOLERANCE = 0.01;

/**
 * Index of the last point (in the order given: increasing threshold or ratio) whose accuracy is at
 * least `reference − tolerance`; -1 when none is. Points after the first one that falls short are
 * not considered: accuracy that recovers at a larger threshold is noise on a small set, not a
 * safer setting.
 */
export function kneeIndex(points: readonly KneePoint[], reference: number, tolerance = DEFAULT_KNEE_TOLERANCE): number {
  let knee = -1;
  for (const [i, p] of points.entries()) {
    // 1e-12: 0.97 − 0.01 is 0.9599999…; a point at exactly the tolerance counts as within it.
    if (p.accuracy < reference - tolerance - 1e-12) break;
    knee = i;
  }
  return knee;
}
