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
 *
 * Before anything is written, the file is checked, each failure being one sentence with its own code:
 * a read-only folder or file ('read-only'), a file that is not SQLite or another application's
 * database ('corrupt'), and a damaged database (`PRAGMA quick_check`, 'corrupt'): a damaged file is
 * refused as a whole rather than written into, so what is left of it can still be recovered.
 * quick_check reads every page (about 0.25 s for a 900 MB database with a warm cache).
 */
import fs, { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, storageProblem } from './errors';
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

function readOnly(file: string, detail: string): StoreError {
  return new StoreError(
    'read-only',
    `The data directory ${path.dirname(path.resolve(file))} is read-only (${detail}), so FFR Workbench cannot write its database there; make it writable, or choose another data directory with FFR_HOME.`,
  );
}

function damaged(file: string, detail: string): StoreError {
  return new StoreError(
    'corrupt',
    `The database ${file} is damaged (${detail}), so FFR Workbench will neither use it nor write to it; restore it from a backup, or recover what is readable with \`sqlite3 "${file}" .recover\`.`,
  );
}

/**
 * The sentence for an error SQLite or the file system raised while opening `file`: read-only, disk
 * full or damaged when the error says so, else `otherwise`.
 */
function openFailure(file: string, error: unknown, otherwise: () => StoreError): StoreError {
  if (error instanceof StoreError) return error;
  const problem = storageProblem(error);
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (problem?.code === 'read-only' || code.startsWith('SQLITE_CANTOPEN')) {
    // CANTOPEN in a folder we may not write: SQLite could not create the file or its -wal/-shm.
    if (problem?.code === 'read-only' || !writable(path.dirname(path.resolve(file)))) return readOnly(file, describe(error));
  }
  if (problem?.code === 'disk-full') {
    return new StoreError('disk-full', `The database ${file} cannot be opened because the disk is full (${describe(error)}); free some space and try again.`);
  }
  if (code.startsWith('SQLITE_CORRUPT')) return damaged(file, describe(error));
  return otherwise();
}

const notOurs = (file: string, error: unknown) => (): StoreError =>
  new StoreError('corrupt', `The file ${file} is not an FFR Workbench database (${describe(error)}).`);

function writable(target: string): boolean {
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a database we could not write, before SQLite would fail half-way (or open it read-only
 * without saying so): the file if it exists, and its folder, where SQLite creates `-wal` and `-shm`.
 */
function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  for (const target of fs.existsSync(file) ? [file, dir] : [dir]) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (error) {
      throw readOnly(file, `${target === dir ? 'folder' : 'file'} not writable: ${(error as NodeJS.ErrnoException).code ?? describe(error)}`);
    }
  }
}

/** PRAGMA quick_check: every page's structure, without the slower index-content comparison. */
function checkIntegrity(db: Database.Database, file: string): void {
  let problems: string[];
  try {
    const rows = db.pragma('quick_check(3)') as Array<Record<string, unknown>>;
    // One line: drop SQLite's "*** in database main ***" banner and join its findings.
    problems = rows
      .flatMap((row) => String(Object.values(row)[0]).split('\n'))
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^\*\*\* in database/.test(line));
  } catch (error) {
    throw damaged(file, describe(error));
  }
  if (problems.length !== 1 || problems[0] !== 'ok') throw damaged(file, `SQLite's check reports: ${problems.join('; ')}`);
}

/**
 * Opens (creating if needed) the SQLite database at `file` and brings its schema up to date.
 * Throws StoreError for a file that is not an FFR Workbench database or is newer than this code.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  const memory = file === ':memory:';
  if (!memory) {
    try {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (error) {
      throw openFailure(file, error, () => new StoreError('corrupt', `The folder of the database ${file} cannot be created: ${describe(error)}.`));
    }
    checkWritable(file);
  }
  const timeout = options.busyTimeoutMs ?? 5000;
  let db: Database.Database;
  try {
    db = new Database(file, {
      timeout,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (error) {
    throw openFailure(file, error, () => new StoreError('corrupt', `The database ${file} could not be opened: ${describe(error)}.`));
  }
  try {
    try {
      // The first statement that reads the file: a non-SQLite file fails here.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeout))}`);
      checkOwnership(db, file);
      if (!memory) checkIntegrity(db, file);
    } catch (error) {
      throw openFailure(file, error, notOurs(file, error));
    }
    try {
      migrate(db, options.migrations ?? MIGRATIONS, file);
    } catch (error) {
      // A full disk or a read-only file met while creating or upgrading the schema; anything else
      // (a failing migration) is passed on as it is.
      if (error instanceof StoreError || storageProblem(error) === null) throw error;
      throw openFailure(file, error, notOurs(file, error));
    }
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
  try {
    if (options.recoverInterrupted ?? true) store.recovered = store.recoverInterruptedRuns();
  } catch (error) {
    store.close();
    if (storageProblem(error) === null) throw error;
    throw openFailure(file, error, notOurs(file, error));
  }
  return store;
}
