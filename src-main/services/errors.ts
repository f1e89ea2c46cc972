/**
 * Errors the services throw: each kind carries its contract error code, so the dispatcher, the
 * HTTP server and the CLI never sort errors by their text. Messages are one sentence naming the
 * input and what is wrong with it.
 */
import { z } from 'zod';
import { DatasetError } from '../catalog/datasets/errors';
import type { ApiErrorBody, ErrorCode } from '../shared/contract';
import { StoreError, type StoreErrorCode } from '../store';

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

/** Store codes that are the caller's to fix; the rest (a corrupt or newer database…) are internal. */
const STORE_CODES: Partial<Record<StoreErrorCode, ErrorCode>> = {
  'not-found': 'not-found',
  conflict: 'conflict',
  invalid: 'invalid-input',
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
  return 'internal';
}

/** Maps anything thrown by a service to the contract's error body. */
export function toErrorBody(e: unknown): ApiErrorBody {
  const message = e instanceof z.ZodError ? (e.issues[0]?.message ?? 'Invalid input') : e instanceof Error ? e.message : String(e);
  return { code: errorCode(e), message: sentence(message) };
}
