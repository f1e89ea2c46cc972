/** Sensitivity sweeps: accuracy / size at a series of prune ratios or thresholds of one run. */
import { z } from 'zod';
import { JsonObject, Sweep } from '../../shared/store-types';
import type { StoreContext } from '../context';
import { notFound, validate } from '../errors';
import { newId } from '../ids';
import { fromJson, toJson } from '../json';
import { assertRunExists } from './require-run';

interface SweepRow {
  id: string;
  source_run_id: string;
  options: string;
  points: string;
  reference: string | null;
  created_at: string;
}

const NewSweep = z.object({
  sourceRunId: z.string(),
  options: JsonObject,
  points: z.array(JsonObject),
  reference: JsonObject.nullable().default(null),
});
export type NewSweep = z.input<typeof NewSweep>;

function toSweep(row: SweepRow): Sweep {
  const what = (column: string): string => `${column} of sweep "${row.id}"`;
  return Sweep.parse({
    id: row.id,
    sourceRunId: row.source_run_id,
    options: fromJson(JsonObject, row.options, what('options')),
    points: fromJson(z.array(JsonObject), row.points, what('points')),
    reference: row.reference === null ? null : fromJson(JsonObject, row.reference, what('reference')),
    createdAt: row.created_at,
  });
}

export class SweepsRepository {
  constructor(private readonly ctx: StoreContext) {}

  create(input: NewSweep): Sweep {
    const s = validate(NewSweep, input, 'sweep');
    const id = this.ctx.db
      .transaction((): string => {
        assertRunExists(this.ctx, s.sourceRunId);
        const newSweepId = newId('swp', (candidate) => this.get(candidate) !== null);
        this.ctx.db
          .prepare('INSERT INTO sweeps (id, source_run_id, options, points, reference, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(newSweepId, s.sourceRunId, toJson(s.options), toJson(s.points), s.reference === null ? null : toJson(s.reference), this.ctx.now());
        return newSweepId;
      })
      .immediate();
    return this.require(id);
  }

  get(id: string): Sweep | null {
    const row = this.ctx.db.prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE id = ?').get(id);
    return row ? toSweep(row) : null;
  }

  require(id: string): Sweep {
    const sweep = this.get(id);
    if (!sweep) throw notFound('sweep', id);
    return sweep;
  }

  /** Sweeps of a run, newest first. */
  listBySource(runId: string): Sweep[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE source_run_id = ? ORDER BY created_at DESC, rowid DESC')
      .all(runId)
      .map(toSweep);
  }

  delete(id: string): Sweep {
    const sweep = this.require(id);
    this.ctx.db.prepare('DELETE FROM sweeps WHERE id = ?').run(id);
    return sweep;
  }
}
