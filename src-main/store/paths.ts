/**
 * File paths in the store are kept relative to the data directory (the folder holding the
 * database file), so that moving or restoring the whole folder keeps every run usable. Paths outside
 * it (an export the user wrote to ~/models/x, a dataset folder) stay absolute.
 *
 * Stored form: forward slashes, no leading "./" (`runs/run-abc123/checkpoints/epoch-0001.ffrm`), so
 * a folder copied between platforms still resolves. The repositories convert on the way in and out;
 * everything above the store sees absolute paths only.
 */
import path from 'node:path';

export interface StorePaths {
  /** The data directory, or null for an in-memory database (paths are then kept as given). */
  readonly home: string | null;
  /** Absolute path → what the database keeps. */
  toStored(file: string): string;
  /** What the database keeps → absolute path. */
  fromStored(stored: string): string;
}

/** The relative form of `file` inside `home` ("a/b"), or null when it lies outside (or is `home`). */
export function relativeInside(home: string, file: string): string | null {
  const rel = path.relative(home, path.resolve(file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

export function storePaths(databaseFile: string): StorePaths {
  if (databaseFile === ':memory:' || databaseFile === '') {
    return { home: null, toStored: (f) => f, fromStored: (s) => s };
  }
  const home = path.dirname(path.resolve(databaseFile));
  return {
    home,
    toStored: (file) => relativeInside(home, file) ?? path.resolve(file),
    fromStored: (stored) => (path.isAbsolute(stored) ? stored : path.join(home, ...stored.split('/'))),
  };
}
