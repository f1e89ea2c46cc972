/**
 * The two guarantees of migrate() that make concurrent opens and crashes safe, each tested so that
 * removing it fails a test:
 * - the version is re-checked under the write lock (another process may have migrated between our
 *   first look at user_version and our BEGIN IMMEDIATE);
 * - the user_version bump (and the ledger row) is part of the migration's transaction (a crash between
 *   the two would leave a migrated schema at the old version, and the next open would apply the
 *   migration twice).
 * And migration 0004's rewrite of stored absolute paths to paths relative to the data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../shared/run-config';
import { openDatabase, openStore } from './database';
import { latestVersion, migrate, schemaVersion } from './migrate';
import { MIGRATIONS } from './migrations';
import { removeDir, tempDbFile } from './testing/fixtures';

/** The schema version the code knows (every migration applied). */
const LATEST = latestVersion(MIGRATIONS);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dirs: string[] = [];
function temp(): string {
  const { dir, file } = tempDbFile();
  dirs.push(dir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}
afterEach(() => {
  while (dirs.length) removeDir(dirs.pop()!);
});

/**
 * A connection that runs `beforeImmediate` just before each `transaction(...).immediate()` starts:
 * the moment another process can slip in between migrate()'s first read of user_version and its
 * write lock.
 */
function interleaved(db: Database.Database, beforeImmediate: () => void): Database.Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return (fn: (...a: unknown[]) => unknown) => {
          const tx = target.transaction(fn);
          return Object.assign((...a: unknown[]) => tx(...a), {
            immediate: (...a: unknown[]) => {
              beforeImmediate();
              return tx.immediate(...a);
            },
          });
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('migrate', () => {
  it('re-checks the version under the write lock: a migration another connection applied meanwhile is skipped', () => {
    const file = temp();
    const a = new Database(file);
    a.pragma('journal_mode = WAL');
    let raced = false;
    // Connection A has read user_version 0; before it takes the lock, B migrates the file completely.
    const racing = interleaved(a, () => {
      if (raced) return;
      raced = true;
      openDatabase(file).close();
    });
    const result = migrate(racing, MIGRATIONS, file);
    expect(raced).toBe(true);
    expect(result).toEqual({ from: 0, to: LATEST, applied: [] });
    a.close();
  });

  it('bumps user_version inside the migration transaction', () => {
    const file = temp();
    const db = new Database(file);
    const bumps: Array<{ statement: string; inTransaction: boolean }> = [];
    const watched = new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'pragma') {
          return (statement: string, options?: unknown) => {
            if (/^\s*user_version\s*=/.test(statement)) bumps.push({ statement, inTransaction: target.inTransaction });
            return target.pragma(statement, options as never);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    migrate(watched, MIGRATIONS, file);
    expect(bumps.map((b) => b.statement.replace(/\s+/g, ''))).toEqual(MIGRATIONS.map((m) => `user_version=${m.version}`));
    expect(bumps.every((b) => b.inTransaction)).toBe(true);
    db.close();
  });

  it('a process killed inside a migration leaves the previous version and no trace of it', async () => {
    // A migration that kills its own process with SIGKILL after changing the schema, before commit.
    const file = temp();
    openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) }).close();
    const script = `
      import Database from 'better-sqlite3';
      import { migrate } from './src-main/store/migrate.ts';
      import { MIGRATIONS } from './src-main/store/migrations/index.ts';
      const db = new Database(${JSON.stringify(file)});
      migrate(db, [...MIGRATIONS.slice(0, 3), { version: 4, name: '0004-dies', up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        process.kill(process.pid, 'SIGKILL');
      } }], 'x');
    `;
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.signal, r.stderr).toBe('SIGKILL');
    const db = new Database(file);
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
    const store = openStore(file);
    expect(schemaVersion(store.db)).toBe(LATEST);
    store.close();
  });

  it('allows gaps between version numbers (branches reserve ranges) but refuses a list that does not increase', () => {
    const file = temp();
    const db = new Database(file);
    const noop = (version: number, name: string) => ({ version, name, up() {} });
    expect(migrate(db, [noop(1, 'a'), noop(2, 'b'), noop(10, 'j')], file)).toEqual({ from: 0, to: 10, applied: ['a', 'b', 'j'] });
    expect(() => migrate(db, [noop(1, 'a'), noop(10, 'j'), noop(10, 'k')], file)).toThrow("Migration \"k\" has version 10, not above the previous one's (10).");
    expect(() => migrate(db, [noop(2, 'b'), noop(1, 'a')], file)).toThrow("Migration \"a\" has version 1, not above the previous one's (2).");
    db.close();
  });
});

describe('migration 0004: paths relative to the data directory', () => {
  it('rewrites paths inside the data directory, and inside the folder it was moved from; leaves outside paths alone', () => {
    const file = temp();
    const home = path.dirname(file);
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) });
    const config = JSON.stringify(defaultRunConfig());
    const movedFrom = '/srv/old-place/ffr-home';
    old.exec(`
      INSERT INTO runs (id, project_id, kind, name, status, config, created_at) VALUES
        ('run-here01', NULL, 'train', 'here', 'completed', '${config}', '2025-01-01T00:00:00.000Z'),
        ('run-moved1', NULL, 'train', 'moved', 'completed', '${config}', '2025-01-01T00:00:00.000Z');
    `);
    const insert = old.prepare("INSERT INTO checkpoints VALUES (?, 1, ?, 10, '2025-01-01T00:00:00.000Z')");
    insert.run('run-here01', path.join(home, 'runs', 'run-here01', 'checkpoints', 'epoch-0001.ffrm'));
    insert.run('run-moved1', `${movedFrom}/runs/run-moved1/checkpoints/epoch-0001.ffrm`);
    old
      .prepare("INSERT INTO prunes VALUES ('prn-aaaaaa', 'run-moved1', NULL, '{}', '{}', ?, '2025-01-01T00:00:00.000Z')")
      .run(`${movedFrom}/prunes/run-moved1-1.ffrm`);
    const exp = old.prepare(
      "INSERT INTO exports VALUES (?, 'run-here01', NULL, 'onnx', ?, '[]', 1, 1, 1, 0, '{}', '2025-01-01T00:00:00.000Z')",
    );
    exp.run('exp-inside', path.join(home, 'exports', 'run-here01-onnx'));
    exp.run('exp-outsid', '/home/someone/models/lenet');
    old.close();

    const store = openStore(file);
    try {
      const raw = (sql: string) => store.db.prepare(sql).pluck().all();
      expect(raw('SELECT path FROM checkpoints ORDER BY run_id')).toEqual([
        'runs/run-here01/checkpoints/epoch-0001.ffrm',
        'runs/run-moved1/checkpoints/epoch-0001.ffrm',
      ]);
      expect(raw('SELECT model_path FROM prunes')).toEqual(['prunes/run-moved1-1.ffrm']);
      expect(raw('SELECT dir FROM exports ORDER BY id')).toEqual(['exports/run-here01-onnx', '/home/someone/models/lenet']);
      // Callers see absolute paths under the data directory where it is now.
      expect(store.checkpoints.latest('run-moved1')?.path).toBe(path.join(home, 'runs', 'run-moved1', 'checkpoints', 'epoch-0001.ffrm'));
      expect(store.prunes.require('prn-aaaaaa').modelPath).toBe(path.join(home, 'prunes', 'run-moved1-1.ffrm'));
      expect(store.exports.require('exp-outsid').dir).toBe('/home/someone/models/lenet');
    } finally {
      store.close();
    }
  });
});
