/**
 * Errors the store throws on bad input: always one sentence naming the input and what is wrong
 * (docs/architecture.md), plus a code the services map to exit codes / HTTP statuses without parsing text.
 */
import type { z } from 'zod';

export type StoreErrorCode =
  /** An id that names no row. */
  | 'not-found'
  /** A unique name already taken, or a state change the row's current state forbids. */
  | 'conflict'
  /** Input that fails validation. */
  | 'invalid'
  /** A database file written by a newer FFR Workbench. */
  | 'newer-database'
  /** A file that is not an FFR Workbench database, a damaged one, or a stored value that no longer parses. */
  | 'corrupt'
  /** The database (or its folder) cannot be written: read-only folder, file or file system. */
  | 'read-only'
  /** A write failed because the disk (or the database's size limit) is full. */
  | 'disk-full';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The first zod issue as "path: message", so errors stay one sentence. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const where = path.replace(/^\./, '');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Parses `value` with `schema`, or throws StoreError('invalid') naming `what`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new StoreError('invalid', `Invalid ${what}: ${describeIssue(result.error)}.`);
  }
  return result.data;
}

export function notFound(kind: string, id: string): StoreError {
  return new StoreError('not-found', `Unknown ${kind} "${id}".`);
}

/**
 * What went wrong with the storage itself, in words, for errors thrown by SQLite (better-sqlite3's
 * SqliteError codes) or by the file system (errno codes); null for anything else.
 */
export function storageProblem(error: unknown): { code: StoreErrorCode; words: string } | null {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return { code: 'disk-full', words: 'the disk is full' };
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return { code: 'read-only', words: 'the data directory is read-only' };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return { code: 'corrupt', words: 'the database is damaged' };
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return { code: 'corrupt', words: 'the disk reported an input/output error' };
  return null;
}

/** `error` as the end of a sentence: the storage problem in words, else its own message. */
export function describeStorageError(error: unknown): string {
  const problem = storageProblem(error);
  if (problem) return problem.words;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[.\s]+$/, '');
}
