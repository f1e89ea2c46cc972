/** Prunes: a physically smaller model cut from a run, with its report and (later) its fine-tune run. */
import { z } from 'zod';
import { JsonObject, Prune } from '../../shared/store-types';
import type { StoreContext } from '../context';
import { notFound, validate } from '../errors';
import { newId } from '../ids';
import { fromJson, toJson } from '../json';
import type { StorePaths } from '../paths';
import { assertRunExists } from './require-run';

interface PruneRow {
  id: string;
  source_run_id: string;
  child_run_id: string | null;
  options: string;
  report: string;
  model_path: string;
  created_at: string;
}

const NewPrune = z.object({
  sourceRunId: z.string(),
  childRunId: z.string().nullable().optional(),
  options: JsonObject,
  report: JsonObject,
  modelPath: z.string().min(1),
});
export type NewPrune = z.input<typeof NewPrune>;

function toPrune(row: PruneRow, paths: StorePaths): Prune {
  const what = (column: string): string => `${column} of prune "${row.id}"`;
  return Prune.parse({
    id: row.id,
    sourceRunId: row.source_run_id,
    childRunId: row.child_run_id,
    options: fromJson(JsonObject, row.options, what('options')),
    report: fromJson(JsonObject, row.report, what('report')),
    modelPath: paths.fromStored(row.model_path),
    createdAt: row.created_at,
  });
}

export class PrunesRepository {
  constructor(private readonly ctx: StoreContext) {}

  create(input: NewPrune): Prune {
    const p = validate(NewPrune, input, 'prune');
    const childRunId = p.childRunId ?? null;
    const id = this.ctx.db
      .transaction((): string => {
        assertRunExists(this.ctx, p.sourceRunId);
        if (childRunId !== null) assertRunExists(this.ctx, childRunId);
        const newPruneId = newId('prn', (candidate) => this.get(candidate) !== null);
        this.ctx.db
          .prepare(
            `INSERT INTO prunes (id, source_run_id, child_run_id, options, report, model_path, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(newPruneId, p.sourceRunId, childRunId, toJson(p.options), toJson(p.report), this.ctx.paths.toStored(p.modelPath), this.ctx.now());
        return newPruneId;
      })
      .immediate();
    return this.require(id);
  }

  get(id: string): Prune | null {
    const row = this.ctx.db.prepare<[string], PruneRow>('SELECT * FROM prunes WHERE id = ?').get(id);
    return row ? toPrune(row, this.ctx.paths) : null;
  }

  require(id: string): Prune {
    const prune = this.get(id);
    if (!prune) throw notFound('prune', id);
    return prune;
  }

  /** Prunes cut from a run, newest first. */
  listBySource(runId: string): Prune[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string], PruneRow>('SELECT * FROM prunes WHERE source_run_id = ? ORDER BY created_at DESC, rowid DESC')
      .all(runId)
      .map((row) => toPrune(row, this.ctx.paths));
  }

  /** Links the fine-tune run started from this prune's model. */
  setChildRun(id: string, childRunId: string | null): Prune {
    this.require(id);
    if (childRunId !== null) assertRunExists(this.ctx, childRunId);
    this.ctx.db.prepare('UPDATE prunes SET child_run_id = ? WHERE id = ?').run(childRunId, id);
    return this.require(id);
  }

  /** Deletes the prune (and its exports); returns it so the caller can remove its model file. */
  delete(id: string): Prune {
    const prune = this.require(id);
    this.ctx.db.prepare('DELETE FROM prunes WHERE id = ?').run(id);
    return prune;
  }
}
