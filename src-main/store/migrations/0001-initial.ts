/**
 * The first schema: every table of docs/schema.md. Columns are snake_case, timestamps ISO-8601 UTC
 * TEXT, JSON columns TEXT checked with json_valid (the repositories also validate their shape with
 * zod when reading). CHECK constraints repeat the enums of src-main/shared so that a row written by
 * hand or by a buggy build cannot hold a status the code does not know.
 */
import type { Migration } from '../migrate';

/** Identifies our files (`PRAGMA application_id`): "FFRW" in ASCII. */
export const APPLICATION_ID = 0x46465257;

export const migration0001: Migration = {
  version: 1,
  name: '0001-initial',
  up(db) {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.exec(`
      CREATE TABLE projects (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE datasets (
        id           TEXT PRIMARY KEY,
        project_id   TEXT REFERENCES projects(id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('mnist', 'cifar10', 'cifar100', 'synthetic', 'folder')),
        data_dir     TEXT,
        shape        TEXT NOT NULL CHECK (json_valid(shape)),
        classes      INTEGER NOT NULL,
        class_names  TEXT NOT NULL CHECK (json_valid(class_names)),
        train_count  INTEGER NOT NULL,
        test_count   INTEGER NOT NULL,
        created_at   TEXT NOT NULL
      );

      CREATE TABLE runs (
        id             TEXT PRIMARY KEY,
        project_id     TEXT REFERENCES projects(id) ON DELETE CASCADE,
        parent_run_id  TEXT REFERENCES runs(id) ON DELETE CASCADE,
        kind           TEXT NOT NULL CHECK (kind IN ('train', 'finetune')),
        name           TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
        config         TEXT NOT NULL CHECK (json_valid(config)),
        backend        TEXT,
        created_at     TEXT NOT NULL,
        started_at     TEXT,
        finished_at    TEXT,
        duration_ms    INTEGER,
        epochs_done    INTEGER NOT NULL DEFAULT 0,
        error          TEXT,
        notes          TEXT NOT NULL DEFAULT '',
        tags           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
        model_info     TEXT CHECK (model_info IS NULL OR json_valid(model_info))
      );
      CREATE INDEX runs_project_created ON runs(project_id, created_at);
      CREATE INDEX runs_status ON runs(status);

      CREATE TABLE metrics (
        run_id               TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch                INTEGER NOT NULL,
        train_loss           REAL NOT NULL,
        train_cross_entropy  REAL NOT NULL,
        train_accuracy       REAL NOT NULL,
        test_loss            REAL NOT NULL,
        test_accuracy        REAL NOT NULL,
        ffr_length           REAL NOT NULL,
        ffr_curvature        REAL NOT NULL,
        reg_loss             REAL NOT NULL,
        lr                   REAL NOT NULL,
        seconds              REAL NOT NULL,
        PRIMARY KEY (run_id, epoch)
      );

      CREATE TABLE layer_snapshots (
        run_id                 TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch                  INTEGER NOT NULL,
        layer                  TEXT NOT NULL,
        position               INTEGER NOT NULL,
        kind                   TEXT NOT NULL CHECK (kind IN ('conv', 'dense')),
        channels               INTEGER NOT NULL,
        structured_sparsity    REAL NOT NULL,
        gamma_sparsity         REAL,
        norm_sparsity          REAL NOT NULL,
        unstructured_sparsity  REAL NOT NULL,
        segment_length         REAL,
        turning_angle          REAL,
        measures               TEXT NOT NULL CHECK (json_valid(measures)),
        PRIMARY KEY (run_id, epoch, layer)
      );

      CREATE TABLE checkpoints (
        run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch       INTEGER NOT NULL,
        path        TEXT NOT NULL,
        bytes       INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch)
      );

      CREATE TABLE prunes (
        id             TEXT PRIMARY KEY,
        source_run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        child_run_id   TEXT REFERENCES runs(id) ON DELETE SET NULL,
        options        TEXT NOT NULL CHECK (json_valid(options)),
        report         TEXT NOT NULL CHECK (json_valid(report)),
        model_path     TEXT NOT NULL,
        created_at     TEXT NOT NULL
      );

      CREATE TABLE sweeps (
        id             TEXT PRIMARY KEY,
        source_run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        options        TEXT NOT NULL CHECK (json_valid(options)),
        points         TEXT NOT NULL CHECK (json_valid(points)),
        created_at     TEXT NOT NULL
      );

      CREATE TABLE exports (
        id            TEXT PRIMARY KEY,
        run_id        TEXT REFERENCES runs(id) ON DELETE CASCADE,
        prune_id      TEXT REFERENCES prunes(id) ON DELETE CASCADE,
        format        TEXT NOT NULL CHECK (format IN ('tfjs', 'onnx')),
        dir           TEXT NOT NULL,
        files         TEXT NOT NULL CHECK (json_valid(files)),
        params        INTEGER NOT NULL,
        macs          INTEGER NOT NULL,
        verified      INTEGER NOT NULL CHECK (verified IN (0, 1)),
        max_abs_diff  REAL,
        report        TEXT NOT NULL CHECK (json_valid(report)),
        created_at    TEXT NOT NULL,
        CHECK (run_id IS NOT NULL OR prune_id IS NOT NULL)
      );
    `);
  },
};
