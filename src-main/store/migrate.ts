/**
 * Numbered schema migrations, tracked by SQLite's `PRAGMA user_version` (the approach of
 * Signal-Desktop's sql/migrations) plus a ledger of the migrations applied (`schema_migrations`):
 * migration N is applied in its own transaction together with its ledger row and the
 * user_version bump (the highest version applied), so a crash mid-upgrade leaves the database at the
 * last complete migration and the next start simply continues.
 *
 * Why a ledger: migration numbers are reserved per line of work, so a build may know 1–4 and 6–8
 * before 5 exists. With user_version alone a database at 8 would never get 5 once it arrives;
 * the ledger says which ones it has, and any known migration it lacks is applied, in order.
 * Migrations developed apart touch different tables, so their order does not matter. A database
 * created before the ledger existed has every migration this build knows up to its user_version (a
 * number in a gap is not counted, so it is applied when it arrives). A database that names a
 * migration this build does not know is newer: refused.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './errors';

export interface Migration {
  /** Ascending, gaps allowed (numbers are reserved per line of work); the version this migration adds. */
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
    const previous = migrations[i - 1];
    if (!Number.isInteger(m.version) || m.version < 1 || (previous && m.version <= previous.version)) {
      throw new Error(`Migration "${m.name}" has version ${m.version}, not above the previous one's (${previous?.version ?? 0}).`);
    }
  });
}

function hasLedger(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
}

/** Versions the database has: the ledger's, or (before the ledger) every known one up to user_version. */
export function appliedVersions(db: Database.Database, migrations: readonly Migration[]): Set<number> {
  if (hasLedger(db)) return new Set(db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all().map((r) => r.version));
  const current = schemaVersion(db);
  return new Set(migrations.filter((m) => m.version <= current).map((m) => m.version));
}

/**
 * Brings `db` up to date with `migrations`. `file` only names the database in errors.
 * A database at a version (or with a migration) newer than the code knows is refused, never touched.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  file: string,
): MigrationResult {
  checkSequence(migrations);
  const latest = latestVersion(migrations);
  const from = schemaVersion(db);
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...appliedVersions(db, migrations)].filter((v) => !known.has(v));
  if (from > latest || unknown.length > 0) {
    throw new StoreError(
      'newer-database',
      `The database ${file} has schema version ${Math.max(from, ...unknown)}, newer than version ${latest} that this FFR Workbench knows; open it with a newer FFR Workbench.`,
    );
  }
  const applied: string[] = [];
  for (const m of migrations) {
    // IMMEDIATE takes the write lock before reading what is applied, so two processes opening the
    // same file at once cannot both apply the same migration: the second waits (busy_timeout),
    // then sees it in the ledger and skips.
    const step = db.transaction(() => {
      const have = appliedVersions(db, migrations);
      if (have.has(m.version)) return false;
      if (!hasLedger(db)) {
        db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
        const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
        for (const old of migrations) if (have.has(old.version)) record.run(old.version, old.name, 'before the ledger');
      }
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      db.pragma(`user_version = ${Math.max(schemaVersion(db), m.version)}`);
      return true;
    });
    if (step.immediate()) applied.push(m.name);
  }
  return { from, to: schemaVersion(db), applied };
}
