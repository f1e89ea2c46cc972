/**
 * A run's log lines (run_logs). Each line is written as it comes, in its own small transaction:
 * lines are few (tens per run), and the ones that matter most are those just before a crash, which
 * a write at the end of the epoch would lose with it. A run keeps at most MAX_LOG_LINES.
 */
import type { LogLine } from '../../shared/metrics';
import type { StoreContext } from '../context';
import { assertRunExists } from './require-run';

export const MAX_LOG_LINES = 10_000;

export class LogsRepository {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Appends a line; null when the run has no room left (or no longer exists), or when a line of the
   * same `source` is stored already (a Slurm job's message read a second time after a host restart).
   */
  append(runId: string, level: LogLine['level'], message: string, source?: string): LogLine | null {
    const db = this.ctx.db;
    return db
      .transaction((): LogLine | null => {
        if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) return null;
        if (source !== undefined && db.prepare('SELECT 1 FROM run_logs WHERE run_id = ? AND source = ?').get(runId, source)) return null;
        const seq = (db.prepare<[string], { n: number | null }>('SELECT max(seq) AS n FROM run_logs WHERE run_id = ?').get(runId)!.n ?? 0) + 1;
        if (seq > MAX_LOG_LINES) return null;
        const line: LogLine = { seq, time: this.ctx.now(), level, message: message.slice(0, 4000) };
        db.prepare('INSERT INTO run_logs (run_id, seq, time, level, message, source) VALUES (?, ?, ?, ?, ?, ?)').run(runId, line.seq, line.time, line.level, line.message, source ?? null);
        return line;
      })
      .immediate();
  }

  /** Whether a line read from `source` (a Slurm job's message) is stored already. */
  has(runId: string, source: string): boolean {
    return this.ctx.db.prepare('SELECT 1 FROM run_logs WHERE run_id = ? AND source = ?').get(runId, source) !== undefined;
  }

  /** Lines after `afterSeq`, oldest first, at most `limit`. */
  list(runId: string, o: { afterSeq?: number; limit: number }): LogLine[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string, number, number], LogLine>('SELECT seq, time, level, message FROM run_logs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(runId, o.afterSeq ?? 0, o.limit);
  }

  count(runId: string): number {
    return this.ctx.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM run_logs WHERE run_id = ?').get(runId)!.n;
  }
}
