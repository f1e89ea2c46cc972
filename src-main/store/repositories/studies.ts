/**
 * Studies and their points (migration 0007). A study is written with all its points in one
 * transaction; each point then moves pending → training → pruning → finetuning → done (or failed),
 * its run / prune / fine-tune ids written as each step begins, so a resumed study picks every point
 * up where it stopped.
 */
import { z } from 'zod';
import { Executor, SlurmSettings } from '../../shared/executor';
import { PointResult, PointState, Study, StudyPoint, StudySpec, StudyStatus } from '../../shared/study';
import { RegularizerName } from '../../shared/run-config';
import type { StoreContext } from '../context';
import { notFound, validate } from '../errors';
import { newId } from '../ids';
import { fromJson, toJson } from '../json';

interface StudyRow {
  id: string;
  project_id: string | null;
  name: string;
  spec: string;
  status: string;
  error: string | null;
  host_pid: number | null;
  host_start: number | null;
  executor: string;
  slurm_settings: string | null;
  created_at: string;
  updated_at: string;
}

interface PointRow {
  study_id: string;
  idx: number;
  label: string;
  regularizer: string;
  lambda: number | null;
  seed: number;
  config: string;
  state: string;
  run_id: string | null;
  prune_id: string | null;
  finetune_run_id: string | null;
  result: string | null;
  error: string | null;
}

const NewPoint = z.object({
  label: z.string().min(1),
  regularizer: RegularizerName,
  lambda: z.number().nullable(),
  seed: z.number().int(),
  /** The cell's full run config input (base + regularizer, λ, variant, seed). */
  config: z.record(z.string(), z.unknown()),
});

const NewStudy = z.object({
  projectId: z.string().nullable(),
  name: z.string().trim().min(1).max(200),
  spec: StudySpec,
  points: z.array(NewPoint).min(1),
  /** Where its runs train; Slurm settings only with `slurm`. */
  executor: Executor.default('local'),
  slurm: SlurmSettings.nullable().default(null),
}).refine((s) => s.executor === 'slurm' || s.slurm === null, { message: 'Slurm settings apply to the slurm executor only', path: ['slurm'] });
export type NewStudy = z.input<typeof NewStudy>;

/** A point with the run config it trains (the service needs it; views do not). */
export type StoredPoint = StudyPoint & { config: Record<string, unknown> };

/** Who runs a study: the host process (pid and, on Linux, its start time). */
export interface StudyHost {
  pid: number;
  start: number | null;
}

function toStudy(row: StudyRow): Study {
  return Study.parse({
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    spec: fromJson(StudySpec, row.spec, `spec of study "${row.id}"`),
    status: row.status,
    error: row.error,
    executor: row.executor,
    slurm: row.slurm_settings === null ? null : fromJson(SlurmSettings, row.slurm_settings, `Slurm settings of study "${row.id}"`),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

function toPoint(row: PointRow): StoredPoint {
  const what = (column: string): string => `${column} of point ${row.idx} of study "${row.study_id}"`;
  return {
    ...StudyPoint.parse({
      index: row.idx,
      label: row.label,
      regularizer: row.regularizer,
      lambda: row.lambda,
      seed: row.seed,
      state: row.state,
      runId: row.run_id,
      pruneId: row.prune_id,
      finetuneRunId: row.finetune_run_id,
      result: row.result === null ? null : fromJson(PointResult, row.result, what('result')),
      error: row.error,
    }),
    config: fromJson(z.record(z.string(), z.unknown()), row.config, what('config')),
  };
}

export class StudiesRepository {
  constructor(private readonly ctx: StoreContext) {}

  create(input: NewStudy): Study {
    const s = validate(NewStudy, input, 'study');
    const id = this.ctx.db
      .transaction((): string => {
        const studyId = newId('stu', (candidate) => this.get(candidate) !== null);
        const now = this.ctx.now();
        this.ctx.db
          .prepare('INSERT INTO studies (id, project_id, name, spec, status, executor, slurm_settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(studyId, s.projectId, s.name, toJson(s.spec), 'queued', s.executor, s.slurm === null ? null : toJson(s.slurm), now, now);
        const insert = this.ctx.db.prepare(
          `INSERT INTO study_points (study_id, idx, label, regularizer, lambda, seed, config, state)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
        );
        s.points.forEach((p, i) => insert.run(studyId, i, p.label, p.regularizer, p.lambda, p.seed, toJson(p.config)));
        return studyId;
      })
      .immediate();
    return this.require(id);
  }

  get(id: string): Study | null {
    const row = this.ctx.db.prepare<[string], StudyRow>('SELECT * FROM studies WHERE id = ?').get(id);
    return row ? toStudy(row) : null;
  }

  require(id: string): Study {
    const study = this.get(id);
    if (!study) throw notFound('study', id);
    return study;
  }

  /** Studies, newest first, optionally of one project. */
  list(filter: { projectId?: string | null } = {}): Study[] {
    const rows =
      filter.projectId === undefined
        ? this.ctx.db.prepare<[], StudyRow>('SELECT * FROM studies ORDER BY created_at DESC, rowid DESC').all()
        : this.ctx.db.prepare<[string | null], StudyRow>('SELECT * FROM studies WHERE project_id IS ? ORDER BY created_at DESC, rowid DESC').all(filter.projectId);
    return rows.map(toStudy);
  }

  points(studyId: string): StoredPoint[] {
    this.require(studyId);
    return this.ctx.db.prepare<[string], PointRow>('SELECT * FROM study_points WHERE study_id = ? ORDER BY idx').all(studyId).map(toPoint);
  }

  /** The host that runs (or last ran) the study; null once it has ended or before it started. */
  host(studyId: string): StudyHost | null {
    const row = this.ctx.db.prepare<[string], Pick<StudyRow, 'host_pid' | 'host_start'>>('SELECT host_pid, host_start FROM studies WHERE id = ?').get(studyId);
    if (!row) throw notFound('study', studyId);
    return row.host_pid === null ? null : { pid: row.host_pid, start: row.host_start };
  }

  /** Sets the study's status (and error); `host` while it runs, cleared when it ends. */
  setStatus(studyId: string, status: StudyStatus, o: { error?: string | null; host?: StudyHost | null } = {}): Study {
    const st = StudyStatus.parse(status);
    const host = o.host === undefined ? undefined : o.host;
    const info = this.ctx.db
      .prepare(
        `UPDATE studies SET status = ?, error = ?, updated_at = ?,
           host_pid = CASE WHEN ? THEN ? ELSE host_pid END, host_start = CASE WHEN ? THEN ? ELSE host_start END
         WHERE id = ?`,
      )
      .run(st, o.error ?? null, this.ctx.now(), host !== undefined ? 1 : 0, host?.pid ?? null, host !== undefined ? 1 : 0, host?.start ?? null, studyId);
    if (info.changes === 0) throw notFound('study', studyId);
    return this.require(studyId);
  }

  /** Changes where the study's remaining runs train (a resume that asks for another executor or settings). */
  setExecution(studyId: string, executor: Executor, slurm: SlurmSettings | null): Study {
    const e = Executor.parse(executor);
    const settings = e === 'slurm' && slurm !== null ? toJson(SlurmSettings.parse(slurm)) : null;
    const info = this.ctx.db.prepare('UPDATE studies SET executor = ?, slurm_settings = ?, updated_at = ? WHERE id = ?').run(e, settings, this.ctx.now(), studyId);
    if (info.changes === 0) throw notFound('study', studyId);
    return this.require(studyId);
  }

  /** Moves one point on: its state and whichever of its ids, result and error are given. */
  updatePoint(
    studyId: string,
    index: number,
    change: { state: PointState; runId?: string | null; pruneId?: string | null; finetuneRunId?: string | null; result?: PointResult | null; error?: string | null },
  ): void {
    const state = PointState.parse(change.state);
    const result = change.result === undefined ? undefined : change.result === null ? null : toJson(PointResult.parse(change.result));
    const sets: string[] = ['state = ?'];
    const values: Array<string | number | null> = [state];
    const put = (column: string, value: string | null | undefined): void => {
      if (value === undefined) return;
      sets.push(`${column} = ?`);
      values.push(value);
    };
    put('run_id', change.runId);
    put('prune_id', change.pruneId);
    put('finetune_run_id', change.finetuneRunId);
    put('result', result);
    put('error', change.error);
    const db = this.ctx.db;
    db.transaction(() => {
      const info = db.prepare(`UPDATE study_points SET ${sets.join(', ')} WHERE study_id = ? AND idx = ?`).run(...values, studyId, index);
      if (info.changes === 0) throw notFound('study point', `${studyId}#${index}`);
      db.prepare('UPDATE studies SET updated_at = ? WHERE id = ?').run(this.ctx.now(), studyId);
    }).immediate();
  }

  /** Deletes a study and its points (its runs stay: they are ordinary runs). */
  delete(studyId: string): void {
    const info = this.ctx.db.prepare('DELETE FROM studies WHERE id = ?').run(studyId);
    if (info.changes === 0) throw notFound('study', studyId);
  }
}
