/** Read-side repositories answer "unknown run" rather than an empty list for a mistyped id. */
import type { StoreContext } from '../context';
import { notFound } from '../errors';

export function assertRunExists(ctx: StoreContext, runId: string): void {
  if (ctx.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined) throw notFound('run', runId);
}
