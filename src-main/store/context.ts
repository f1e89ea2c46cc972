/** What every repository is built from: the connection and the clock (injectable for tests). */
import type Database from 'better-sqlite3';

export interface StoreContext {
  db: Database.Database;
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
