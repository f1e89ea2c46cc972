/**
 * Numbered schema migrations, tracked by SQLite's `PRAGMA user_version` (the approach of
 * Signal-Desktop's sql/migrations): migration N takes the schema from version N-1 to N, each one
 * runs in its own transaction together with the user_version bump, so a crash mid-upgrade leaves
 * the database at the last complete version and the next start simply continues.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './errors';

export interface Migration {
  /**
   * The schema version this migration produces: increasing along the list. Parallel branches
   * reserve ranges of numbers (0006–0007, 0008–0009, 0010–…), so a gap between two numbers is
   * allowed; the order is what matters.
   */
  version: number;
  /** Short kebab-case description, matching the file name (`0002-foreign-key-indexes`). */
  name: string;
  up(db: Database.Database): void;
}

export interface MigrationResult {
  from: number;
  to: number;
  /** Names of the migrations applied by this call, in order. */
  applied: string[];
}

export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** The version the code knows: the last migration's. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const before = i === 0 ? 0 : migrations[i - 1]!.version;
    if (!Number.isInteger(m.version) || m.version <= before) {
      throw new Error(`Migration "${m.name}" has version ${m.version}, not above ${before} of the migration before it in the list.`);
    }
  });
}

/**
 * Brings `db` up to the last of `migrations`. `file` only names the database in errors.
 * A database at a version newer than the code knows is refused, never touched.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  file: string,
): MigrationResult {
  checkSequence(migrations);
  const latest = latestVersion(migrations);
  const from = schemaVersion(db);
  if (from > latest) {
    throw new StoreError(
      'newer-database',
      `The database ${file} has schema version ${from}, newer than version ${latest} that this FFR Workbench knows; open it with a newer FFR Workbench.`,
    );
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    // IMMEDIATE takes the write lock before reading user_version, so two processes opening the
    // same file at once cannot both apply the same migration: the second waits (busy_timeout),
    // then sees the new version and skips.
    const step = db.transaction(() => {
      if (schemaVersion(db) >= m.version) return false;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    if (step.immediate()) applied.push(m.name);
  }
  return { from, to: schemaVersion(db), applied };
}
