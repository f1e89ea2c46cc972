/** Per-epoch metrics of a run (written by RunsRepository.recordEpoch). */
import type { EpochMetrics } from '../../shared/metrics';
import type { StoreContext } from '../context';
import { assertRunExists } from './require-run';
import { type MetricsRow, toMetrics } from './rows';

export class MetricsRepository {
  constructor(private readonly ctx: StoreContext) {}

  /** Every epoch's metrics, in epoch order. */
  list(runId: string): EpochMetrics[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string], MetricsRow>('SELECT * FROM metrics WHERE run_id = ? ORDER BY epoch')
      .all(runId)
      .map(toMetrics);
  }

  /** The last epoch's metrics, or null before the first epoch ends. */
  latest(runId: string): EpochMetrics | null {
    assertRunExists(this.ctx, runId);
    const row = this.ctx.db
      .prepare<[string], MetricsRow>('SELECT * FROM metrics WHERE run_id = ? ORDER BY epoch DESC LIMIT 1')
      .get(runId);
    return row ? toMetrics(row) : null;
  }
}
