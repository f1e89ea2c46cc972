/** Per-layer sparsity snapshots of a run (docs/schema.md), written by RunsRepository.recordEpoch. */
import type { SnapshotRow } from '../../shared/store-types';
import type { StoreContext } from '../context';
import { assertRunExists } from './require-run';
import { type SnapshotDbRow, toSnapshot } from './rows';

export interface SnapshotQuery {
  /** Only this epoch. */
  epoch?: number;
  /** Only this layer (a layer's history across epochs). */
  layer?: string;
}

export class SnapshotsRepository {
  constructor(private readonly ctx: StoreContext) {}

  /** Snapshots ordered by epoch, then by the layer's position in the model. */
  list(runId: string, query: SnapshotQuery = {}): SnapshotRow[] {
    assertRunExists(this.ctx, runId);
    const where = ['run_id = ?'];
    const params: unknown[] = [runId];
    if (query.epoch !== undefined) {
      where.push('epoch = ?');
      params.push(query.epoch);
    }
    if (query.layer !== undefined) {
      where.push('layer = ?');
      params.push(query.layer);
    }
    return this.ctx.db
      .prepare<unknown[], SnapshotDbRow>(
        `SELECT * FROM layer_snapshots WHERE ${where.join(' AND ')} ORDER BY epoch, position`,
      )
      .all(...params)
      .map(toSnapshot);
  }

  /** The epochs that have snapshots, ascending. */
  epochs(runId: string): number[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string], { epoch: number }>(
        'SELECT DISTINCT epoch FROM layer_snapshots WHERE run_id = ? ORDER BY epoch',
      )
      .all(runId)
      .map((row) => row.epoch);
  }
}
