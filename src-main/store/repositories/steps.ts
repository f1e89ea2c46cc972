/**
 * Per-step scalars of a run (run_steps), written with their epoch by RunsRepository.recordEpoch.
 * Read back in pages (raw rows after a step) or as an overview of at most N points over a step
 * range (bucket means), so no answer grows with the length of the run.
 */
import type { StepScalars } from '../../shared/metrics';
import type { StoreContext } from '../context';
import { assertRunExists } from './require-run';

export interface StepRow {
  run_id: string;
  step: number;
  epoch: number;
  time_ms: number;
  window: number;
  loss: number;
  cross_entropy: number;
  accuracy: number;
  ffr_length: number;
  ffr_curvature: number;
  reg_loss: number;
  lr: number;
  step_ms: number;
  rss_bytes: number;
  tensor_bytes: number;
}

export function stepColumns(runId: string, s: StepScalars): StepRow {
  return {
    run_id: runId, step: s.step, epoch: s.epoch, time_ms: s.time, window: s.window, loss: s.loss, cross_entropy: s.crossEntropy,
    accuracy: s.accuracy, ffr_length: s.ffrLength, ffr_curvature: s.ffrCurvature, reg_loss: s.regLoss, lr: s.lr, step_ms: s.stepMs,
    rss_bytes: s.rssBytes, tensor_bytes: s.tensorBytes,
  };
}

export function toStep(r: StepRow): StepScalars {
  return {
    step: r.step, epoch: r.epoch, time: r.time_ms, window: r.window, loss: r.loss, crossEntropy: r.cross_entropy, accuracy: r.accuracy,
    ffrLength: r.ffr_length, ffrCurvature: r.ffr_curvature, regLoss: r.reg_loss, lr: r.lr, stepMs: r.step_ms,
    rssBytes: Math.round(r.rss_bytes), tensorBytes: Math.round(r.tensor_bytes),
  };
}

export const INSERT_STEP = `INSERT OR REPLACE INTO run_steps (run_id, step, epoch, time_ms, window, loss, cross_entropy, accuracy, ffr_length,
    ffr_curvature, reg_loss, lr, step_ms, rss_bytes, tensor_bytes)
  VALUES (@run_id, @step, @epoch, @time_ms, @window, @loss, @cross_entropy, @accuracy, @ffr_length, @ffr_curvature, @reg_loss,
    @lr, @step_ms, @rss_bytes, @tensor_bytes)`;

export interface StepRange {
  fromStep?: number;
  toStep?: number;
}

export class StepsRepository {
  constructor(private readonly ctx: StoreContext) {}

  private where(runId: string, r: StepRange): { sql: string; params: unknown[] } {
    const where = ['run_id = ?'];
    const params: unknown[] = [runId];
    if (r.fromStep !== undefined) {
      where.push('step >= ?');
      params.push(r.fromStep);
    }
    if (r.toStep !== undefined) {
      where.push('step <= ?');
      params.push(r.toStep);
    }
    return { sql: where.join(' AND '), params };
  }

  /** How many rows the range holds, and its first and last step. */
  extent(runId: string, r: StepRange = {}): { count: number; first: number | null; last: number | null } {
    assertRunExists(this.ctx, runId);
    const w = this.where(runId, r);
    const row = this.ctx.db
      .prepare<unknown[], { count: number; first: number | null; last: number | null }>(`SELECT count(*) AS count, min(step) AS first, max(step) AS last FROM run_steps WHERE ${w.sql}`)
      .get(...w.params)!;
    return row;
  }

  /** Raw rows with step > afterStep (within the range), ascending, at most `limit`. */
  page(runId: string, o: StepRange & { afterStep?: number; limit: number }): StepScalars[] {
    assertRunExists(this.ctx, runId);
    const w = this.where(runId, o);
    const after = o.afterStep ?? 0;
    return this.ctx.db
      .prepare<unknown[], StepRow>(`SELECT * FROM run_steps WHERE ${w.sql} AND step > ? ORDER BY step LIMIT ?`)
      .all(...w.params, after, o.limit)
      .map(toStep);
  }

  /**
   * At most `points` rows over the range: the steps split into equal buckets, each row the mean of
   * its bucket (weighted by window; lr too), at the bucket's last step, epoch and time, with the
   * bucket's peak memory. With no more rows than points, the rows themselves.
   */
  overview(runId: string, o: StepRange & { points: number }): StepScalars[] {
    const { count, first, last } = this.extent(runId, o);
    if (count === 0 || first === null || last === null) return [];
    if (count <= o.points) return this.page(runId, { ...o, limit: o.points });
    const w = this.where(runId, o);
    const span = last - first + 1;
    const rows = this.ctx.db
      .prepare<unknown[], StepRow>(
        `SELECT run_id, max(step) AS step, max(epoch) AS epoch, max(time_ms) AS time_ms, sum(window) AS window,
                sum(loss * window) / sum(window) AS loss, sum(cross_entropy * window) / sum(window) AS cross_entropy,
                sum(accuracy * window) / sum(window) AS accuracy, sum(ffr_length * window) / sum(window) AS ffr_length,
                sum(ffr_curvature * window) / sum(window) AS ffr_curvature, sum(reg_loss * window) / sum(window) AS reg_loss,
                sum(step_ms * window) / sum(window) AS step_ms, sum(lr * window) / sum(window) AS lr,
                max(rss_bytes) AS rss_bytes, max(tensor_bytes) AS tensor_bytes
           FROM run_steps WHERE ${w.sql}
          GROUP BY CAST(((step - ?) * ?) / ? AS INTEGER) ORDER BY step`,
      )
      .all(...w.params, first, o.points, span);
    return rows.map(toStep);
  }
}
