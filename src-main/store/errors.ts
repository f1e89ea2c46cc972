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
  /** A file that is not an FFR Workbench database, or a stored value that no longer parses. */
  | 'corrupt';

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
