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
  /** Only these layers. */
  layers?: readonly string[];
  fromEpoch?: number;
  toEpoch?: number;
}

/** Structured sparsity per layer and epoch, without the per-channel measures (what a grid needs). */
export interface SparsityCell {
  epoch: number;
  layer: string;
  position: number;
  channels: number;
  structured: number;
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
    if (query.layers !== undefined) {
      if (query.layers.length === 0) return [];
      where.push(`layer IN (${query.layers.map(() => '?').join(', ')})`);
      params.push(...query.layers);
    }
    if (query.fromEpoch !== undefined) {
      where.push('epoch >= ?');
      params.push(query.fromEpoch);
    }
    if (query.toEpoch !== undefined) {
      where.push('epoch <= ?');
      params.push(query.toEpoch);
    }
    return this.ctx.db
      .prepare<unknown[], SnapshotDbRow>(
        `SELECT * FROM layer_snapshots WHERE ${where.join(' AND ')} ORDER BY epoch, position`,
      )
      .all(...params)
      .map(toSnapshot);
  }

  /** Structured sparsity of every layer at the given epochs (all when omitted), cheap columns only. */
  cells(runId: string, epochs?: readonly number[]): SparsityCell[] {
    assertRunExists(this.ctx, runId);
    const rows = this.ctx.db
      .prepare<[string], SparsityCell>('SELECT epoch, layer, position, channels, structured_sparsity AS structured FROM layer_snapshots WHERE run_id = ? ORDER BY epoch, position')
      .all(runId);
    if (!epochs) return rows;
    const wanted = new Set(epochs);
    return rows.filter((r) => wanted.has(r.epoch));
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
