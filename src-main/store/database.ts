/**
 * Opening the database: folder, pragmas, migrations, and the Store on top (docs/schema.md).
 *
 * Pragmas, and why:
 * - journal_mode=WAL: readers (the renderer's queries through the host) never block the writer
 *   recording an epoch, and a crash leaves committed transactions intact.
 * - synchronous=NORMAL: safe with WAL against application crashes; a power loss can lose at most the
 *   last transactions, never corrupt the file. Epoch writes stay cheap.
 * - foreign_keys=ON: SQLite's default is OFF per connection; the cascades of docs/schema.md rely on it.
 * - busy_timeout: a second process (CLI next to `ffr serve`) waits for the write lock instead of
 *   failing at once.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors';
import { type Migration, migrate } from './migrate';
import { APPLICATION_ID, MIGRATIONS } from './migrations';
import { systemClock } from './context';
import { Store } from './store';

export interface OpenOptions {
  /** better-sqlite3 native module to load instead of the default (Electron's ABI build). */
  nativeBinding?: string;
  /** How long to wait for another connection's write lock, in milliseconds (default 5000). */
  busyTimeoutMs?: number;
  /** Migrations to apply; tests pass a prefix of the list to build an older database. */
  migrations?: readonly Migration[];
}

export interface StoreOptions extends OpenOptions {
  /** Turn runs left `running` into `interrupted` on open (default true). */
  recoverInterrupted?: boolean;
  /** Clock for timestamps, as ISO-8601 UTC (tests). */
  now?: () => string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens (creating if needed) the SQLite database at `file` and brings its schema up to date.
 * Throws StoreError for a file that is not an FFR Workbench database or is newer than this code.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  const memory = file === ':memory:';
  if (!memory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const timeout = options.busyTimeoutMs ?? 5000;
  let db: Database.Database;
  try {
    db = new Database(file, {
      timeout,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (error) {
    throw new StoreError('corrupt', `The database ${file} could not be opened: ${describe(error)}.`);
  }
  try {
    try {
      // The first statement that reads the file: a non-SQLite file fails here.
      db.pragma('journal_mode = WAL');
    } catch (error) {
      throw new StoreError('corrupt', `The file ${file} is not an FFR Workbench database (${describe(error)}).`);
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeout))}`);
    checkOwnership(db, file);
    migrate(db, options.migrations ?? MIGRATIONS, file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Refuses another application's SQLite file rather than adding our tables to it. */
function checkOwnership(db: Database.Database, file: string): void {
  const applicationId = Number(db.pragma('application_id', { simple: true }));
  if (applicationId === APPLICATION_ID) return;
  const foreign =
    applicationId !== 0 ||
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() !== undefined;
  if (foreign) {
    throw new StoreError('corrupt', `The file ${file} is a SQLite database of another application, not of FFR Workbench.`);
  }
}

/** Opens the database and returns the Store; by default recovers runs a dead process left running. */
export function openStore(file: string, options: StoreOptions = {}): Store {
  const db = openDatabase(file, options);
  const store = new Store(db, file, options.now ?? systemClock);
  if (options.recoverInterrupted ?? true) store.recovered = store.recoverInterruptedRuns();
  return store;
}
