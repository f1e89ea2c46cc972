/**
 * Errors the services throw: each kind carries its contract error code, so the dispatcher, the
 * HTTP server and the CLI never sort errors by their text. Messages are one sentence naming the
 * input and what is wrong with it.
 */
import { z } from 'zod';
import { DatasetError } from '../catalog/datasets/errors';
import type { ApiErrorBody, ErrorCode } from '../shared/contract';
import { StoreError, storageProblem, type StoreErrorCode } from '../store';

export class ServiceError extends Error {
  override readonly name: string = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The request field at fault (a run setting such as "dataset" or "model"), when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Input the user can fix (a setting out of range, a folder that is not a dataset, …). */
export class UserInputError extends ServiceError {
  override readonly name = 'UserInputError';
  constructor(message: string, options: { field?: string } = {}) {
    super('invalid-input', message, options.field);
  }
}

/** An id that names nothing. */
export class NotFoundError extends ServiceError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('not-found', message);
  }
}

/** The target's current state forbids the request (deleting a running run, …). */
export class ConflictError extends ServiceError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super('conflict', message);
  }
}

/** A request this shell does not do (opening a folder from a browser, …). */
export class ForbiddenError extends ServiceError {
  override readonly name = 'ForbiddenError';
  constructor(message: string) {
    super('forbidden', message);
  }
}

/**
 * Store codes that are the caller's to fix; the rest (a corrupt or newer database…) are internal.
 * A full disk and a read-only data directory are not bugs and not bad input either: the request was
 * fine, the state of the data directory forbids it until the user frees space or fixes permissions,
 * so they are `conflict` (HTTP 409), with the sentence saying which.
 */
const STORE_CODES: Partial<Record<StoreErrorCode, ErrorCode>> = {
  'not-found': 'not-found',
  conflict: 'conflict',
  invalid: 'invalid-input',
  'read-only': 'conflict',
  'disk-full': 'conflict',
};

/** One sentence: first line only, ending with a full stop. */
export function sentence(message: string): string {
  const first = message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'Unknown error';
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** The contract code of anything a service may throw. */
export function errorCode(e: unknown): ErrorCode {
  if (e instanceof ServiceError) return e.code;
  if (e instanceof StoreError) return STORE_CODES[e.code] ?? 'internal';
  if (e instanceof DatasetError) return 'invalid-input';
  if (e instanceof z.ZodError) return 'invalid-params';
  const problem = databaseProblem(e);
  if (problem) return STORE_CODES[problem.code] ?? 'internal';
  return 'internal';
}

/**
 * SQLite's own error (SQLITE_FULL, SQLITE_READONLY…) thrown through a service by a store write. Only
 * SQLite's: the database is always in the data directory, whereas a file system error (EACCES…) may
 * be about a folder of the user's, and keeps its own words.
 */
function databaseProblem(e: unknown): ReturnType<typeof storageProblem> {
  if (e instanceof StoreError || e instanceof ServiceError) return null;
  if (!String((e as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_')) return null;
  return storageProblem(e);
}

/** Maps anything thrown by a service to the contract's error body. */
export function toErrorBody(e: unknown): ApiErrorBody {
  let message = e instanceof z.ZodError ? (e.issues[0]?.message ?? 'Invalid input') : e instanceof Error ? e.message : String(e);
  const problem = databaseProblem(e);
  if (problem) message = `The data directory cannot be used: ${problem.words} (${message.replace(/[.\s]+$/, '')})`;
  return { code: errorCode(e), message: sentence(message) };
}
