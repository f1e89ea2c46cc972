/**
 * Runs: one training or fine-tuning job, its lifecycle (queued → running → completed | failed |
 * cancelled | interrupted) and its per-epoch records. Everything a run owns (metrics, snapshots,
 * checkpoints, prunes, sweeps, exports, child runs) goes with it through ON DELETE CASCADE.
 */
import { z } from 'zod';
import { StepScalars } from '../../shared/metrics';
import { RunConfig } from '../../shared/run-config';
import {
  type Checkpoint,
  EpochRecord,
  FinishedStatus,
  ModelInfo,
  type Run,
  RunFilter,
  RunKind,
  Tags,
} from '../../shared/store-types';
import type { StoreContext } from '../context';
import { StoreError, notFound, validate } from '../errors';
import { newId } from '../ids';
import { fromJson, toJson } from '../json';
import { processAlive, processRef } from '../processes';
import { Executor, SlurmSettings } from '../../shared/executor';
import { type CheckpointRow, RUN_SELECT, type RunRow, snapshotColumns, toCheckpoint, toRun } from './rows';
import { INSERT_STEP, stepColumns } from './steps';

/**
 * SQL condition on `runs`: a Slurm job of the run has not been seen to end. Such a run is neither
 * orphaned nor interrupted when its host is gone: the job trains on, and a host picks it up.
 */
const SLURM_IN_FLIGHT = `(runs.executor = 'slurm' AND EXISTS (SELECT 1 FROM slurm_jobs j WHERE j.run_id = runs.id AND j.ended_at IS NULL))`;

/** The error a run gets when the process running it vanished (crash, kill, power loss). */
export const INTERRUPTED_ERROR = 'The process running it stopped before it finished.';

const RunName = z.string().trim().min(1).max(200);
const Notes = z.string().max(100_000);

const NewRun = z.object({
  projectId: z.string().nullable(),
  parentRunId: z.string().nullable().optional(),
  kind: RunKind,
  name: RunName.optional(),
  config: RunConfig,
  /** The model file the run starts from (a fine-tune's pruned model); omitted: initialized weights. */
  startModel: z.string().min(1).nullable().optional(),
  /** Where its trainer executes (default local). */
  executor: Executor.optional(),
  /** A Slurm run's job settings (checked by the caller, merged over the defaults). */
  slurmSettings: SlurmSettings.optional(),
});
export type NewRun = z.input<typeof NewRun>;

/** What a run deletion removed: the run ids (the run and its descendants) and files they referenced. */
export interface RunDeletion {
  runIds: string[];
  /** Checkpoint files, pruned-model files and export folders; the caller removes them from disk. */
  paths: string[];
}

/**
 * Whether another live process owns a run (this process's own runs are from an earlier Store). A pid
 * now used by a different process (start time differs, see processes.ts) counts as gone.
 */
function hostAlive(pid: number | null, startTicks: number | null): boolean {
  if (pid === null || pid === process.pid) return false;
  return processAlive({ pid, startTicks });
}

export class RunsRepository {
  constructor(private readonly ctx: StoreContext) {}

  create(input: NewRun): Run {
    const r = validate(NewRun, input, 'run');
    const parentRunId = r.parentRunId ?? null;
    if (r.kind === 'finetune' && parentRunId === null) {
      throw new StoreError('invalid', 'Invalid run: a fine-tune run needs the run it continues (parentRunId).');
    }
    const create = this.ctx.db.transaction((): string => {
      if (r.projectId !== null && !this.ctx.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(r.projectId)) {
        throw notFound('project', r.projectId);
      }
      const parent = parentRunId === null ? null : this.require(parentRunId);
      const name =
        r.name ??
        (parent && r.kind === 'finetune'
          ? `${parent.name}-finetune`
          : `${r.config.model}-${r.config.dataset.name}-${r.config.regularizer}`);
      const id = newId('run', (candidate) => this.exists(candidate));
      const host = processRef();
      const startModel = r.startModel ? this.ctx.paths.toStored(r.startModel) : null;
      this.ctx.db
        .prepare(
          `INSERT INTO runs (id, project_id, parent_run_id, kind, name, status, config, created_at, host_pid, host_start,
                             start_model, executor, slurm_settings)
           VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id, r.projectId, parentRunId, r.kind, name, toJson(r.config), this.ctx.now(), host.pid, host.startTicks, startModel,
          r.executor ?? 'local', r.slurmSettings ? toJson(r.slurmSettings) : null,
        );
      return id;
    });
    return this.require(create.immediate());
  }

  /** The model file the run starts from (absolute path), or null when it starts from initialized weights. */
  startModel(id: string): string | null {
    const row = this.ctx.db.prepare<[string], { start_model: string | null }>('SELECT start_model FROM runs WHERE id = ?').get(id);
    if (!row) throw notFound('run', id);
    return row.start_model === null ? null : this.ctx.paths.fromStored(row.start_model);
  }

  get(id: string): Run | null {
    const row = this.ctx.db.prepare<[string], RunRow>(`${RUN_SELECT} WHERE runs.id = ?`).get(id);
    return row ? toRun(row, this.ctx.paths) : null;
  }

  /** The run, or a StoreError `Unknown run "<id>".` */
  require(id: string): Run {
    const run = this.get(id);
    if (!run) throw notFound('run', id);
    return run;
  }

  /** Runs matching every given filter, newest first. */
  list(filter: RunFilter = {}): Run[] {
    const f = validate(RunFilter, filter, 'run filter');
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.projectId !== undefined) {
      where.push('runs.project_id = ?');
      params.push(f.projectId);
    }
    if (f.status !== undefined) {
      const statuses = Array.isArray(f.status) ? f.status : [f.status];
      if (statuses.length === 0) return [];
      where.push(`runs.status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (f.parentRunId === null) where.push('runs.parent_run_id IS NULL');
    else if (f.parentRunId !== undefined) {
      where.push('runs.parent_run_id = ?');
      params.push(f.parentRunId);
    }
    if (f.kind !== undefined) {
      where.push('runs.kind = ?');
      params.push(f.kind);
    }
    const sql = `${RUN_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY runs.created_at DESC, runs.rowid DESC`;
    return this.ctx.db.prepare<unknown[], RunRow>(sql).all(...params).map((row) => toRun(row, this.ctx.paths));
  }

  /**
   * The trainer has started (or resumed) the run. Refused for a run that is already running or has
   * completed. Clears the error and finish time a previous attempt left.
   */
  markRunning(id: string, info: { backend: string }): Run {
    const backend = validate(z.string().trim().min(1), info.backend, `backend of run "${id}"`);
    const host = processRef();
    this.ctx.db
      .transaction(() => {
        const run = this.require(id);
        if (run.status === 'running' || run.status === 'completed') {
          throw new StoreError('conflict', `Run "${id}" is already ${run.status}; it cannot be started again.`);
        }
        this.ctx.db
          .prepare(
            `UPDATE runs SET status = 'running', backend = ?, started_at = ?, finished_at = NULL, error = NULL,
                    host_pid = ?, host_start = ?
              WHERE id = ?`,
          )
          .run(backend, this.ctx.now(), host.pid, host.startTicks, id);
      })
      .immediate();
    return this.require(id);
  }

  /**
   * The run ended. Only a queued or running run can end; `error` is kept for every status but
   * `completed`. duration_ms accumulates the wall-clock time of each attempt (started_at → now).
   */
  markFinished(id: string, status: FinishedStatus, error?: string | null): Run {
    const finalStatus = validate(FinishedStatus, status, `final status of run "${id}"`);
    this.ctx.db
      .transaction(() => {
        const run = this.require(id);
        if (run.status !== 'queued' && run.status !== 'running') {
          throw new StoreError('conflict', `Run "${id}" is already ${run.status}; it cannot be marked ${finalStatus}.`);
        }
        const now = this.ctx.now();
        const attemptMs =
          run.status === 'running' && run.startedAt !== null
            ? Math.max(0, Date.parse(now) - Date.parse(run.startedAt))
            : null;
        const duration = attemptMs === null ? run.durationMs : (run.durationMs ?? 0) + attemptMs;
        this.ctx.db
          .prepare('UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, error = ?, cancel_requested_at = NULL WHERE id = ?')
          .run(finalStatus, now, duration, finalStatus === 'completed' ? null : (error ?? null), id);
      })
      .immediate();
    return this.require(id);
  }

  /**
   * A resumed run whose new attempt failed before its trainer started (a damaged checkpoint, a
   * refused lock…): the run is `failed` with the new reason, replacing the error of the attempt
   * before. Only for runs that are not queued, running or completed (those go through markFinished).
   */
  markResumeFailed(id: string, error: string): Run {
    const reason = validate(z.string().trim().min(1), error, `error of run "${id}"`);
    this.ctx.db
      .transaction(() => {
        const run = this.require(id);
        if (run.status === 'queued' || run.status === 'running' || run.status === 'completed') {
          throw new StoreError('conflict', `Run "${id}" is ${run.status}; its resume cannot have failed.`);
        }
        this.ctx.db.prepare(`UPDATE runs SET status = 'failed', error = ?, finished_at = ?, cancel_requested_at = NULL WHERE id = ?`).run(reason, this.ctx.now(), id);
      })
      .immediate();
    return this.require(id);
  }

  /**
   * Writes one epoch: the metrics row, every layer snapshot, the checkpoint (if any) and
   * runs.epochs_done, in ONE transaction, after validating everything; either all of it is stored
   * or none. Recording an epoch again replaces what was stored for it (idempotent on retry).
   */
  recordEpoch(id: string, record: EpochRecord, steps: readonly StepScalars[] = []): void {
    const rec = validate(EpochRecord, record, `epoch record for run "${id}"`);
    const stepRows = validate(z.array(StepScalars), steps, `step scalars for run "${id}"`);
    const epoch = rec.metrics.epoch;
    const seen = new Set<string>();
    for (const s of rec.snapshots) {
      if (seen.has(s.layer)) {
        throw new StoreError(
          'invalid',
          `Invalid epoch record for run "${id}": layer "${s.layer}" appears twice in epoch ${epoch}.`,
        );
      }
      seen.add(s.layer);
    }
    const db = this.ctx.db;
    const m = rec.metrics;
    db.transaction(() => {
      if (!this.exists(id)) throw notFound('run', id);
      for (const table of ['metrics', 'layer_snapshots', 'checkpoints']) {
        db.prepare(`DELETE FROM ${table} WHERE run_id = ? AND epoch = ?`).run(id, epoch);
      }
      db.prepare(
        `INSERT INTO metrics (run_id, epoch, train_loss, train_cross_entropy, train_accuracy, val_loss, val_accuracy,
                              test_loss, test_accuracy, ffr_length, ffr_curvature, reg_loss, lr, seconds)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        epoch,
        m.trainLoss,
        m.trainCrossEntropy,
        m.trainAccuracy,
        m.valLoss,
        m.valAccuracy,
        m.testLoss,
        m.testAccuracy,
        m.ffrLength,
        m.ffrCurvature,
        m.regLoss,
        m.lr,
        m.seconds,
      );
      const insertSnapshot = db.prepare(
        `INSERT INTO layer_snapshots (run_id, epoch, layer, position, kind, channels, structured_sparsity,
                                      gamma_sparsity, norm_sparsity, unstructured_sparsity, segment_length,
                                      turning_angle, measures)
         VALUES (@run_id, @epoch, @layer, @position, @kind, @channels, @structured_sparsity, @gamma_sparsity,
                 @norm_sparsity, @unstructured_sparsity, @segment_length, @turning_angle, @measures)`,
      );
      rec.snapshots.forEach((s, position) => {
        insertSnapshot.run({ run_id: id, epoch, position, ...snapshotColumns(s) });
      });
      if (rec.checkpoint) {
        db.prepare('INSERT INTO checkpoints (run_id, epoch, path, bytes, created_at) VALUES (?, ?, ?, ?, ?)').run(
          id,
          epoch,
          this.ctx.paths.toStored(rec.checkpoint.path),
          rec.checkpoint.bytes,
          this.ctx.now(),
        );
      }
      // The epoch's step scalars go in the same transaction (one per epoch, docs/schema.md).
      const insertStep = db.prepare(INSERT_STEP);
      for (const s of stepRows) insertStep.run(stepColumns(id, s));
      db.prepare('UPDATE runs SET epochs_done = MAX(epochs_done, ?) WHERE id = ?').run(epoch, id);
    }).immediate();
  }

  /**
   * Forgets everything recorded after `epoch` (metrics, snapshots, checkpoints) in one transaction,
   * so a resumed run continues cleanly from its checkpoint at `epoch`. Returns the checkpoints
   * removed so the caller can delete their files.
   */
  resetToEpoch(id: string, epoch: number): Checkpoint[] {
    const e = validate(z.number().int().min(0), epoch, `epoch to reset run "${id}" to`);
    const db = this.ctx.db;
    return db
      .transaction((): Checkpoint[] => {
        if (!this.exists(id)) throw notFound('run', id);
        const removed = db
          .prepare<[string, number], CheckpointRow>(
            'DELETE FROM checkpoints WHERE run_id = ? AND epoch > ? RETURNING *',
          )
          .all(id, e)
          .map((row) => toCheckpoint(row, this.ctx.paths))
          .sort((a, b) => a.epoch - b.epoch);
        db.prepare('DELETE FROM metrics WHERE run_id = ? AND epoch > ?').run(id, e);
        db.prepare('DELETE FROM layer_snapshots WHERE run_id = ? AND epoch > ?').run(id, e);
        db.prepare('DELETE FROM run_steps WHERE run_id = ? AND epoch > ?').run(id, e);
        db.prepare('UPDATE runs SET epochs_done = MIN(epochs_done, ?) WHERE id = ?').run(e, id);
        return removed;
      })
      .immediate();
  }

  /**
   * Start-up recovery: every run still `running` or `queued` whose host process is gone becomes
   * `interrupted`, resumable from its last checkpoint. Runs owned by another live host (e.g.
   * `ffr serve` while a CLI command opens the same store) are left alone. A host pid that the OS
   * has since reused for an unrelated process counts as gone on Linux (the recorded start time
   * differs); elsewhere it keeps its runs `running` until that process ends. A run whose Slurm job
   * has not been seen to end is left alone: the job trains on without any host, and the next host
   * that picks it up (SlurmExecutor.pickUp) continues recording it. Returns the ids changed.
   */
  recoverInterrupted(): string[] {
    const candidates = this.ctx.db
      .prepare<[], { id: string; status: string; host_pid: number | null; host_start: number | null }>(
        `SELECT id, status, host_pid, host_start FROM runs WHERE status IN ('running', 'queued') AND NOT ${SLURM_IN_FLIGHT}`,
      )
      .all();
    // A queued run waits in its host's memory: orphaned only when that (other) host is gone.
    const orphans = candidates
      .filter((r) =>
        r.status === 'running'
          ? !hostAlive(r.host_pid, r.host_start)
          : r.host_pid !== null && r.host_pid !== process.pid && !hostAlive(r.host_pid, r.host_start),
      )
      .map((r) => r.id);
    const mark = this.ctx.db.prepare(`UPDATE runs SET status = 'interrupted', error = ? WHERE id = ?`);
    this.ctx.db.transaction(() => {
      for (const id of orphans) mark.run(INTERRUPTED_ERROR, id);
    })();
    return orphans.sort();
  }

  /**
   * Recovery of one run while this process is up: the run becomes `interrupted` if it is `running`
   * for a host other than this process that is gone (killed since this process opened the store).
   * Unlike start-up recovery, this process's own runs are live. Returns whether it changed the run.
   */
  recoverIfOrphaned(id: string): boolean {
    return this.ctx.db
      .transaction((): boolean => {
        const row = this.ctx.db
          .prepare<[string], { status: string; host_pid: number | null; host_start: number | null; in_flight: number }>(
            `SELECT status, host_pid, host_start, ${SLURM_IN_FLIGHT} AS in_flight FROM runs WHERE id = ?`,
          )
          .get(id);
        if (!row || row.status !== 'running' || row.in_flight || row.host_pid === process.pid || hostAlive(row.host_pid, row.host_start)) return false;
        this.ctx.db.prepare(`UPDATE runs SET status = 'interrupted', error = ? WHERE id = ?`).run(INTERRUPTED_ERROR, id);
        return true;
      })
      .immediate();
  }

  /** Where the run's trainer executes. */
  executor(id: string): Executor {
    const row = this.ctx.db.prepare<[string], { executor: string }>('SELECT executor FROM runs WHERE id = ?').get(id);
    if (!row) throw notFound('run', id);
    return Executor.parse(row.executor);
  }

  /** The Slurm job settings the run was created with, or null (a local run, or none given). */
  slurmSettings(id: string): SlurmSettings | null {
    const row = this.ctx.db.prepare<[string], { slurm_settings: string | null }>('SELECT slurm_settings FROM runs WHERE id = ?').get(id);
    if (!row) throw notFound('run', id);
    return row.slurm_settings === null ? null : fromJson(SlurmSettings, row.slurm_settings, `Slurm settings of run "${id}"`);
  }

  setExecutor(id: string, executor: Executor): void {
    this.update(id, 'UPDATE runs SET executor = ? WHERE id = ?', validate(Executor, executor, `executor of run "${id}"`));
  }

  /**
   * Asks whichever host owns the run to cancel it (`ffr runs cancel` from another process than the
   * one training it). The owner polls `cancelRequested`; the request is cleared when the run ends.
   */
  requestCancel(id: string): void {
    this.update(id, 'UPDATE runs SET cancel_requested_at = ? WHERE id = ?', this.ctx.now());
  }

  /** Which of `ids` another process asked to cancel. */
  cancelRequested(ids: string[]): string[] {
    if (ids.length === 0) return [];
    return this.ctx.db
      .prepare<string[], { id: string }>(`SELECT id FROM runs WHERE cancel_requested_at IS NOT NULL AND id IN (${ids.map(() => '?').join(', ')})`)
      .all(...ids)
      .map((r) => r.id);
  }

  setModelInfo(id: string, info: ModelInfo): Run {
    const value = validate(ModelInfo, info, `model info of run "${id}"`);
    this.update(id, 'UPDATE runs SET model_info = ? WHERE id = ?', toJson(value));
    return this.require(id);
  }

  setNotes(id: string, notes: string): Run {
    this.update(id, 'UPDATE runs SET notes = ? WHERE id = ?', validate(Notes, notes, `notes of run "${id}"`));
    return this.require(id);
  }

  /** Replaces the tags; trimmed, duplicates dropped, order kept. */
  setTags(id: string, tags: string[]): Run {
    const value = [...new Set(validate(Tags, tags, `tags of run "${id}"`))];
    this.update(id, 'UPDATE runs SET tags = ? WHERE id = ?', toJson(value));
    return this.require(id);
  }

  rename(id: string, name: string): Run {
    this.update(id, 'UPDATE runs SET name = ? WHERE id = ?', validate(RunName, name, `name of run "${id}"`));
    return this.require(id);
  }

  /**
   * Deletes the run, its descendants (fine-tune children) and all they own. Refused while any of
   * them is running. Returns what went, including file paths to remove from disk.
   */
  delete(id: string): RunDeletion {
    const db = this.ctx.db;
    return db
      .transaction((): RunDeletion => {
        if (!this.exists(id)) throw notFound('run', id);
        const runIds = this.subtree(id);
        const marks = runIds.map(() => '?').join(', ');
        const running = db
          .prepare<string[], { id: string }>(`SELECT id FROM runs WHERE id IN (${marks}) AND status = 'running'`)
          .get(...runIds);
        if (running) {
          throw new StoreError(
            'conflict',
            running.id === id
              ? `Run "${id}" is running; cancel it before deleting it.`
              : `Run "${id}" has a running fine-tune run ("${running.id}"); cancel it before deleting.`,
          );
        }
        const paths = db
          .prepare<string[], { path: string }>(
            `SELECT path FROM checkpoints WHERE run_id IN (${marks})
             UNION SELECT model_path FROM prunes WHERE source_run_id IN (${marks})
             UNION SELECT dir FROM exports WHERE run_id IN (${marks})
                OR prune_id IN (SELECT id FROM prunes WHERE source_run_id IN (${marks}))`,
          )
          .all(...runIds, ...runIds, ...runIds, ...runIds)
          .map((row) => this.ctx.paths.fromStored(row.path))
          .sort();
        db.prepare('DELETE FROM runs WHERE id = ?').run(id);
        return { runIds, paths };
      })
      .immediate();
  }

  /** The run and all its descendants through parent_run_id (the run itself first). */
  subtree(id: string): string[] {
    return this.ctx.db
      .prepare<[string], { id: string }>(
        `WITH RECURSIVE tree(id) AS (
           SELECT ? UNION SELECT r.id FROM runs r JOIN tree t ON r.parent_run_id = t.id)
         SELECT id FROM tree`,
      )
      .all(id)
      .map((row) => row.id);
  }

  private exists(id: string): boolean {
    return this.ctx.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }

  private update(id: string, sql: string, value: string): void {
    if (this.ctx.db.prepare(sql).run(value, id).changes === 0) throw notFound('run', id);
  }
}
