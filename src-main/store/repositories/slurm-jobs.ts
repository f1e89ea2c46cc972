/**
 * Slurm jobs: one row per submission of a run (attempt 1, then one per resume). The host that
 * follows a job records Slurm's state as it changes and how far it has read the job's
 * `messages.jsonl` (`ingested_bytes`), so a restarted host continues from there; `ended_at` is set
 * once a host has seen the job end, which frees the run's lock (run-locks.ts). The job folder is
 * stored like every path: relative when it lies inside the data directory.
 */
import { z } from 'zod';
import { SlurmSettings, type SlurmJob } from '../../shared/executor';
import type { StoreContext } from '../context';
import { validate } from '../errors';
import { fromJson, toJson } from '../json';
import { assertRunExists } from './require-run';

interface SlurmJobRow {
  run_id: string;
  attempt: number;
  job_id: string;
  job_dir: string;
  settings: string;
  state: string;
  reason: string | null;
  exit_code: number | null;
  signal: number | null;
  ingested_bytes: number;
  submitted_at: string;
  updated_at: string;
  ended_at: string | null;
}

/** A stored job with what only the host needs (settings, ingestion offset). */
export interface SlurmJobRecord extends SlurmJob {
  runId: string;
  settings: SlurmSettings;
  ingestedBytes: number;
}

const JobId = z.string().regex(/^\d+(_\d+)?$/, 'must be a Slurm job id such as 123 or 123_4');

export interface SlurmJobUpdate {
  state: string;
  reason?: string | null;
  exitCode?: number | null;
  signal?: number | null;
  /** The job has ended (a final state): frees the run's lock once released. */
  ended?: boolean;
}

export class SlurmJobsRepository {
  constructor(private readonly ctx: StoreContext) {}

  private toRecord(row: SlurmJobRow): SlurmJobRecord {
    return {
      runId: row.run_id,
      jobId: row.job_id,
      attempt: row.attempt,
      state: row.state,
      reason: row.reason,
      exitCode: row.exit_code,
      signal: row.signal,
      jobDir: this.ctx.paths.fromStored(row.job_dir),
      submittedAt: row.submitted_at,
      endedAt: row.ended_at,
      settings: fromJson(SlurmSettings, row.settings, `Slurm settings of job ${row.job_id}`),
      ingestedBytes: row.ingested_bytes,
    };
  }

  /** The attempt number the run's next submission gets. */
  nextAttempt(runId: string): number {
    const row = this.ctx.db.prepare<[string], { n: number | null }>('SELECT MAX(attempt) AS n FROM slurm_jobs WHERE run_id = ?').get(runId);
    return (row?.n ?? 0) + 1;
  }

  /** Records a submitted job (state SUBMITTED until Slurm first answers). */
  recordSubmission(input: { runId: string; attempt: number; jobId: string; jobDir: string; settings: SlurmSettings }): SlurmJobRecord {
    const jobId = validate(JobId, input.jobId, `Slurm job id of run "${input.runId}"`);
    const settings = validate(SlurmSettings, input.settings, `Slurm settings of run "${input.runId}"`);
    const now = this.ctx.now();
    this.ctx.db
      .transaction(() => {
        assertRunExists(this.ctx, input.runId);
        this.ctx.db
          .prepare(
            `INSERT INTO slurm_jobs (run_id, attempt, job_id, job_dir, settings, state, ingested_bytes, submitted_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'SUBMITTED', 0, ?, ?)`,
          )
          .run(input.runId, input.attempt, jobId, this.ctx.paths.toStored(input.jobDir), toJson(settings), now, now);
      })
      .immediate();
    return this.require(input.runId, input.attempt);
  }

  get(runId: string, attempt: number): SlurmJobRecord | null {
    const row = this.ctx.db.prepare<[string, number], SlurmJobRow>('SELECT * FROM slurm_jobs WHERE run_id = ? AND attempt = ?').get(runId, attempt);
    return row ? this.toRecord(row) : null;
  }

  require(runId: string, attempt: number): SlurmJobRecord {
    const job = this.get(runId, attempt);
    if (!job) throw new Error(`Run ${runId} has no Slurm job of attempt ${attempt}.`);
    return job;
  }

  /** The run's latest submission, or null when it never went to Slurm. */
  latest(runId: string): SlurmJobRecord | null {
    const row = this.ctx.db
      .prepare<[string], SlurmJobRow>('SELECT * FROM slurm_jobs WHERE run_id = ? ORDER BY attempt DESC LIMIT 1')
      .get(runId);
    return row ? this.toRecord(row) : null;
  }

  /** Every submission of the run, oldest first. */
  list(runId: string): SlurmJobRecord[] {
    return this.ctx.db
      .prepare<[string], SlurmJobRow>('SELECT * FROM slurm_jobs WHERE run_id = ? ORDER BY attempt')
      .all(runId)
      .map((r) => this.toRecord(r));
  }

  /** Jobs no host has seen end yet (what a starting host picks up), oldest first. */
  inFlight(): SlurmJobRecord[] {
    return this.ctx.db
      .prepare<[], SlurmJobRow>('SELECT * FROM slurm_jobs WHERE ended_at IS NULL ORDER BY submitted_at, run_id')
      .all()
      .map((r) => this.toRecord(r));
  }

  /** Records Slurm's state (and, when it ended, the exit code or signal). */
  update(runId: string, attempt: number, u: SlurmJobUpdate): void {
    const now = this.ctx.now();
    this.ctx.db
      .prepare(
        `UPDATE slurm_jobs SET state = ?, reason = ?, exit_code = ?, signal = ?, updated_at = ?,
                ended_at = CASE WHEN ? THEN COALESCE(ended_at, ?) ELSE ended_at END
          WHERE run_id = ? AND attempt = ?`,
      )
      .run(u.state, u.reason ?? null, u.exitCode ?? null, u.signal ?? null, now, u.ended ? 1 : 0, now, runId, attempt);
  }

  /** How far the host has read the job's messages file (bytes of complete lines). */
  setIngested(runId: string, attempt: number, bytes: number): void {
    this.ctx.db.prepare('UPDATE slurm_jobs SET ingested_bytes = MAX(ingested_bytes, ?) WHERE run_id = ? AND attempt = ?').run(bytes, runId, attempt);
  }
}
