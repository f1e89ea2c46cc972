/** What every repository is built from: the connection and the clock (injectable for tests). */
import type Database from 'better-sqlite3';
import type { StorePaths } from './paths';

export interface StoreContext {
  db: Database.Database;
  /** Converts file paths between absolute (callers) and relative to the data directory (rows). */
  paths: StorePaths;
  /** Current time as an ISO-8601 UTC string. */
  now(): string;
}

export function systemClock(): string {
  return new Date().toISOString();
}

/** True when a better-sqlite3 error is a UNIQUE / PRIMARY KEY violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
