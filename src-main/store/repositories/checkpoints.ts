/** Checkpoint files of a run, one per epoch at most (written by RunsRepository.recordEpoch). */
import type { Checkpoint } from '../../shared/store-types';
import type { StoreContext } from '../context';
import { assertRunExists } from './require-run';
import { type CheckpointRow, toCheckpoint } from './rows';

export class CheckpointsRepository {
  constructor(private readonly ctx: StoreContext) {}

  /** The checkpoint of the highest epoch: where an interrupted run resumes. */
  latest(runId: string): Checkpoint | null {
    assertRunExists(this.ctx, runId);
    const row = this.ctx.db
      .prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1')
      .get(runId);
    return row ? toCheckpoint(row, this.ctx.paths) : null;
  }

  list(runId: string): Checkpoint[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch')
      .all(runId)
      .map((row) => toCheckpoint(row, this.ctx.paths));
  }

  /** Removes the rows of checkpoints after `epoch` and returns them (the caller deletes the files). */
  deleteAfter(runId: string, epoch: number): Checkpoint[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string, number], CheckpointRow>('DELETE FROM checkpoints WHERE run_id = ? AND epoch > ? RETURNING *')
      .all(runId, epoch)
      .map((row) => toCheckpoint(row, this.ctx.paths))
      .sort((a, b) => a.epoch - b.epoch);
  }

  /** Removes the rows of checkpoints before `epoch` (retention: keep only the last few files). */
  deleteBefore(runId: string, epoch: number): Checkpoint[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string, number], CheckpointRow>('DELETE FROM checkpoints WHERE run_id = ? AND epoch < ? RETURNING *')
      .all(runId, epoch)
      .map((row) => toCheckpoint(row, this.ctx.paths))
      .sort((a, b) => a.epoch - b.epoch);
  }
}
