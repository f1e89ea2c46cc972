/**
 * Studies (issue 11): a grid regularizer × λ × seed over one base config.
 *
 * - `studies`: the spec (JSON: base config, grid, seeds, prune rule, fine-tune epochs), its status
 *   and the host that runs it (pid and start time, so a study left `running` by a host that died
 *   is told apart from one a live host is running).
 * - `study_points`: one row per grid cell, in order, with the ids of what it produced (its run, its
 *   prune, the prune's fine-tune run) and, once done, its numbers (JSON). The ids are written as
 *   each step starts, so a host that dies mid-study resumes each point where it stopped. A point's
 *   runs are ordinary runs (in the lists, deletable): deleting one sets its id here to NULL.
 */
import type { Migration } from '../migrate';

export const migration0007: Migration = {
  version: 7,
  name: '0007-studies',
  up(db) {
    db.exec(`
      CREATE TABLE studies (
        id          TEXT PRIMARY KEY,
        project_id  TEXT REFERENCES projects(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        spec        TEXT NOT NULL CHECK (json_valid(spec)),
        status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
        error       TEXT,
        host_pid    INTEGER,
        host_start  INTEGER,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX studies_project ON studies(project_id);

      CREATE TABLE study_points (
        study_id         TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        idx              INTEGER NOT NULL,
        label            TEXT NOT NULL,
        regularizer      TEXT NOT NULL,
        lambda           REAL,
        seed             INTEGER NOT NULL,
        config           TEXT NOT NULL CHECK (json_valid(config)),
        state            TEXT NOT NULL CHECK (state IN ('pending', 'training', 'pruning', 'finetuning', 'done', 'failed')),
        run_id           TEXT REFERENCES runs(id) ON DELETE SET NULL,
        prune_id         TEXT REFERENCES prunes(id) ON DELETE SET NULL,
        finetune_run_id  TEXT REFERENCES runs(id) ON DELETE SET NULL,
        result           TEXT CHECK (result IS NULL OR json_valid(result)),
        error            TEXT,
        PRIMARY KEY (study_id, idx)
      );
      CREATE INDEX study_points_run ON study_points(run_id);
      CREATE INDEX study_points_prune ON study_points(prune_id);
      CREATE INDEX study_points_finetune ON study_points(finetune_run_id);
    `);
  },
};
