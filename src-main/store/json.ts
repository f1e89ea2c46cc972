/**
 * JSON columns: written with JSON.stringify, read back through zod so a hand-edited or
 * half-migrated value is reported as such instead of flowing on as `unknown`.
 */
import type { z } from 'zod';
import { StoreError, describeIssue } from './errors';

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Parses a stored JSON column; `what` names it, e.g. `config of run "run-abc123"`. */
export function fromJson<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StoreError('corrupt', `The stored ${what} is not valid JSON.`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new StoreError('corrupt', `The stored ${what} is not valid: ${describeIssue(result.error)}.`);
  }
  return result.data;
}
