/** Exports: a TF.js or ONNX model written to disk from a run or a prune, with its verification. */
import { z } from 'zod';
import { ExportFormat, ExportRecord, JsonObject } from '../../shared/store-types';
import type { StoreContext } from '../context';
import { StoreError, notFound, validate } from '../errors';
import { newId } from '../ids';
import { fromJson, toJson } from '../json';
import type { StorePaths } from '../paths';
import { assertRunExists } from './require-run';

interface ExportRow {
  id: string;
  run_id: string | null;
  prune_id: string | null;
  format: string;
  dir: string;
  files: string;
  params: number;
  macs: number;
  verified: number;
  max_abs_diff: number | null;
  report: string;
  created_at: string;
}

const NewExport = z.object({
  runId: z.string().nullable().optional(),
  pruneId: z.string().nullable().optional(),
  format: ExportFormat,
  dir: z.string().min(1),
  files: z.array(z.string().min(1)),
  params: z.number().int().min(0),
  macs: z.number().int().min(0),
  verified: z.boolean(),
  maxAbsDiff: z.number().nullable(),
  report: JsonObject,
});
export type NewExport = z.input<typeof NewExport>;

function toExport(row: ExportRow, paths: StorePaths): ExportRecord {
  const what = (column: string): string => `${column} of export "${row.id}"`;
  return ExportRecord.parse({
    id: row.id,
    runId: row.run_id,
    pruneId: row.prune_id,
    format: row.format,
    dir: paths.fromStored(row.dir),
    files: fromJson(z.array(z.string()), row.files, what('files')),
    params: row.params,
    macs: row.macs,
    verified: row.verified === 1,
    maxAbsDiff: row.max_abs_diff,
    report: fromJson(JsonObject, row.report, what('report')),
    createdAt: row.created_at,
  });
}

export class ExportsRepository {
  constructor(private readonly ctx: StoreContext) {}

  /** An export names the run and/or the prune whose model it wrote; at least one of them. */
  create(input: NewExport): ExportRecord {
    const e = validate(NewExport, input, 'export');
    const runId = e.runId ?? null;
    const pruneId = e.pruneId ?? null;
    if (runId === null && pruneId === null) {
      throw new StoreError('invalid', 'Invalid export: it needs the run or the prune whose model it holds.');
    }
    const id = this.ctx.db
      .transaction((): string => {
        if (runId !== null) assertRunExists(this.ctx, runId);
        if (pruneId !== null && !this.ctx.db.prepare('SELECT 1 FROM prunes WHERE id = ?').get(pruneId)) {
          throw notFound('prune', pruneId);
        }
        const newExportId = newId('exp', (candidate) => this.get(candidate) !== null);
        this.ctx.db
          .prepare(
            `INSERT INTO exports (id, run_id, prune_id, format, dir, files, params, macs, verified, max_abs_diff,
                                  report, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            newExportId,
            runId,
            pruneId,
            e.format,
            this.ctx.paths.toStored(e.dir),
            toJson(e.files),
            e.params,
            e.macs,
            e.verified ? 1 : 0,
            e.maxAbsDiff,
            toJson(e.report),
            this.ctx.now(),
          );
        return newExportId;
      })
      .immediate();
    return this.require(id);
  }

  get(id: string): ExportRecord | null {
    const row = this.ctx.db.prepare<[string], ExportRow>('SELECT * FROM exports WHERE id = ?').get(id);
    return row ? toExport(row, this.ctx.paths) : null;
  }

  require(id: string): ExportRecord {
    const record = this.get(id);
    if (!record) throw notFound('export', id);
    return record;
  }

  /** Exports of a run's model and of the models pruned from it, newest first. */
  listBySource(runId: string): ExportRecord[] {
    assertRunExists(this.ctx, runId);
    return this.ctx.db
      .prepare<[string, string], ExportRow>(
        `SELECT * FROM exports
          WHERE run_id = ? OR prune_id IN (SELECT id FROM prunes WHERE source_run_id = ?)
          ORDER BY created_at DESC, rowid DESC`,
      )
      .all(runId, runId)
      .map((row) => toExport(row, this.ctx.paths));
  }

  listByPrune(pruneId: string): ExportRecord[] {
    if (!this.ctx.db.prepare('SELECT 1 FROM prunes WHERE id = ?').get(pruneId)) throw notFound('prune', pruneId);
    return this.ctx.db
      .prepare<[string], ExportRow>('SELECT * FROM exports WHERE prune_id = ? ORDER BY created_at DESC, rowid DESC')
      .all(pruneId)
      .map((row) => toExport(row, this.ctx.paths));
  }

  delete(id: string): ExportRecord {
    const record = this.require(id);
    this.ctx.db.prepare('DELETE FROM exports WHERE id = ?').run(id);
    return record;
  }
}
