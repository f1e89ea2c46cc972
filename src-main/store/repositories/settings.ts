/**
 * Settings: small JSON documents by key, each validated with its schema on the way in and out
 * (a hand-edited value that no longer parses is reported, not used). Key `slurm`: the default
 * settings of Slurm jobs (shared/executor.ts, SlurmDefaults).
 */
import type { z } from 'zod';
import type { StoreContext } from '../context';
import { validate } from '../errors';
import { fromJson, toJson } from '../json';

export class SettingsRepository {
  constructor(private readonly ctx: StoreContext) {}

  /** The stored value of `key`, or null when none was stored. */
  get<S extends z.ZodType>(key: string, schema: S): z.output<S> | null {
    const row = this.ctx.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key);
    return row ? fromJson(schema, row.value, `setting "${key}"`) : null;
  }

  /** Stores `value` under `key` (replacing it); returns it as stored. */
  set<S extends z.ZodType>(key: string, schema: S, value: unknown): z.output<S> {
    const parsed = validate(schema, value, `setting "${key}"`);
    this.ctx.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, toJson(parsed), this.ctx.now());
    return parsed;
  }
}
