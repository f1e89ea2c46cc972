import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../shared/run-config';
import { openDatabase, openStore } from './database';
import { StoreError } from './errors';
import { latestVersion, migrate, schemaVersion } from './migrate';
import { MIGRATIONS } from './migrations';
import { epochRecord, removeDir, tempDbFile } from './testing/fixtures';
import { NOBODY, readOnlyCheckUnavailable } from './testing/other-user';

/** The schema version the code knows (every migration applied). */
const LATEST = latestVersion(MIGRATIONS);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const dirs: string[] = [];
function temp(): string {
  const { dir, file } = tempDbFile();
  dirs.push(dir);
  return file;
}
afterEach(() => {
  while (dirs.length) removeDir(dirs.pop()!);
});

function tables(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((r) => r.name);
}
function indexes(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((r) => r.name);
}

describe('openDatabase', () => {
  it('creates the folder and a fresh database at the latest version, with WAL and foreign keys on', () => {
    const file = temp();
    expect(fs.existsSync(path.dirname(file))).toBe(false);
    const db = openDatabase(file);
    try {
      expect(fs.existsSync(file)).toBe(true);
      expect(schemaVersion(db)).toBe(LATEST);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(tables(db)).toEqual([
        'checkpoints',
        'datasets',
        'exports',
        'layer_snapshots',
        'metrics',
        'projects',
        'prunes',
        'run_locks',
        'run_logs',
        'run_steps',
        'runs',
        'schema_migrations',
        'settings',
        'slurm_jobs',
        'studies',
        'study_points',
        'sweeps',
      ]);
      expect(indexes(db)).toEqual(expect.arrayContaining(['runs_project_created', 'runs_parent', 'prunes_child']));
    } finally {
      db.close();
    }
  });

  it('enforces foreign keys', () => {
    const db = openDatabase(temp());
    try {
      expect(() =>
        db
          .prepare(
            "INSERT INTO runs (id, project_id, kind, name, status, config, created_at) VALUES ('run-aaaaaa', 'prj-nonexi', 'train', 'x', 'queued', '{}', 'now')",
          )
          .run(),
      ).toThrow(/FOREIGN KEY/);
    } finally {
      db.close();
    }
  });

  it('reopens an up-to-date database without applying anything', () => {
    const file = temp();
    openDatabase(file).close();
    const db = new Database(file);
    expect(migrate(db, MIGRATIONS, file)).toEqual({ from: LATEST, to: LATEST, applied: [] });
    db.close();
  });

  it('upgrades a version-1 database and keeps its rows', () => {
    const file = temp();
    // Build the old database exactly as a version-1 build would have: only migration 0001.
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) });
    expect(schemaVersion(old)).toBe(1);
    expect(indexes(old)).not.toContain('runs_parent');
    old.exec(`
      INSERT INTO projects VALUES ('prj-old001', 'Legacy', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
      INSERT INTO runs (id, project_id, kind, name, status, config, created_at, epochs_done)
        VALUES ('run-old001', 'prj-old001', 'train', 'old run', 'completed',
                '${JSON.stringify(defaultRunConfig())}', '2025-01-01T00:00:00.000Z', 1);
      INSERT INTO metrics VALUES ('run-old001', 1, 1, 0.9, 0.8, 1.1, 0.79, 3, 0.5, 0.06, 0.05, 12);
    `);
    old.close();

    const store = openStore(file);
    try {
      expect(schemaVersion(store.db)).toBe(LATEST);
      expect(indexes(store.db)).toEqual(expect.arrayContaining(['runs_parent', 'prunes_source', 'exports_prune']));
      expect(store.projects.list()).toMatchObject([{ id: 'prj-old001', name: 'Legacy', runCount: 1 }]);
      const run = store.runs.require('run-old001');
      expect(run).toMatchObject({ name: 'old run', status: 'completed', epochsDone: 1, tags: [], notes: '' });
      expect(store.metrics.list('run-old001')).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('refuses a database from a newer version with one sentence naming the file and both versions', () => {
    const file = temp();
    openDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST + 1}`);
    raw.close();
    let error: unknown;
    try {
      openDatabase(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('newer-database');
    expect((error as StoreError).message).toBe(
      `The database ${file} has schema version ${LATEST + 1}, newer than version ${LATEST} that this FFR Workbench knows; open it with a newer FFR Workbench.`,
    );
    // Refused, not touched.
    const check = new Database(file);
    expect(schemaVersion(check)).toBe(LATEST + 1);
    check.close();
  });

  it('rolls a failing migration back completely and stays at the previous version', () => {
    const file = temp();
    const broken = [
      ...MIGRATIONS,
      {
        version: LATEST + 1,
        name: 'broken',
        up(db: Database.Database) {
          db.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => openDatabase(file, { migrations: broken })).toThrow('boom');
    const db = new Database(file);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(tables(db)).not.toContain('half_done');
    db.close();
  });

  it('numbers may have gaps: a lower migration that arrives later is still applied, once', () => {
    const file = temp();
    // A build that knows 1–4 and 6–8 (5 is reserved for a migration being written elsewhere) creates the database.
    expect(MIGRATIONS.map((m) => m.version)).not.toContain(5);
    openDatabase(file).close();
    const later = { version: 5, name: '0005-later', up: (db: Database.Database) => db.exec('CREATE TABLE arrived_later (x INTEGER)') };
    const withFive = [...MIGRATIONS.slice(0, 4), later, ...MIGRATIONS.slice(4)];
    const db = new Database(file);
    try {
      expect(migrate(db, withFive, file)).toEqual({ from: LATEST, to: LATEST, applied: ['0005-later'] });
      expect(tables(db)).toContain('arrived_later');
      expect(migrate(db, withFive, file).applied).toEqual([]);
      // A build that knows only 1–3 must refuse this database (it has 5 and more).
      expect(() => migrate(db, MIGRATIONS.slice(0, 3), file)).toThrow(new RegExp(`has schema version ${LATEST}, newer than version 3`));
      // Nor may a build without 5 open it once 5 is recorded, even at the same user_version.
      expect(() => migrate(db, MIGRATIONS, file)).toThrow(new RegExp(`newer than version ${LATEST}`));
    } finally {
      db.close();
    }
  });

  it('a database from before the ledger counts every migration up to its user_version as applied', () => {
    const file = temp();
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) });
    old.exec('DROP TABLE schema_migrations');
    old.close();
    const db = new Database(file);
    try {
      expect(migrate(db, MIGRATIONS, file)).toEqual({ from: 3, to: LATEST, applied: MIGRATIONS.slice(3).map((m) => m.name) });
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
    } finally {
      db.close();
    }
  });

  it('a database from before the ledger at a version past a gap does not count the gap as applied', () => {
    // Made by a build that knew 1–4, 6 and 7 (no ledger), opened by one that knows 8 too, then by one that knows 5.
    const file = temp();
    const upTo7 = MIGRATIONS.filter((m) => m.version <= 7);
    const old = openDatabase(file, { migrations: upTo7 });
    old.exec('DROP TABLE schema_migrations');
    old.close();
    const db = new Database(file);
    try {
      expect(migrate(db, MIGRATIONS, file).applied).toEqual(MIGRATIONS.filter((m) => m.version > 7).map((m) => m.name));
      const later = { version: 5, name: '0005-later', up: (d: Database.Database) => d.exec('CREATE TABLE arrived_later (x INTEGER)') };
      expect(migrate(db, [...MIGRATIONS.slice(0, 4), later, ...MIGRATIONS.slice(4)], file).applied).toEqual(['0005-later']);
    } finally {
      db.close();
    }
  });

  it('refuses a file that is not a database, and a database of another application', () => {
    const junk = temp();
    fs.mkdirSync(path.dirname(junk), { recursive: true });
    fs.writeFileSync(junk, 'this is not sqlite, just some text that is long enough to look like a header');
    expect(() => openDatabase(junk)).toThrow(`The file ${junk} is not an FFR Workbench database`);

    const foreign = temp();
    fs.mkdirSync(path.dirname(foreign), { recursive: true });
    const other = new Database(foreign);
    other.exec('CREATE TABLE contacts (name TEXT)');
    other.close();
    expect(() => openDatabase(foreign)).toThrow(
      `The file ${foreign} is a SQLite database of another application, not of FFR Workbench.`,
    );
  });

  it('lets two connections open the same file at once (second one waits for the migration lock)', () => {
    const file = temp();
    const a = openStore(file);
    const b = openStore(file);
    try {
      const project = a.projects.create({ name: 'Shared' });
      expect(b.projects.require(project.id).name).toBe('Shared');
    } finally {
      a.close();
      b.close();
    }
  });
});

/** A database with a few runs and enough epochs to span many pages; closed, WAL folded into the file. */
function populated(file: string): string[] {
  const store = openStore(file);
  const ids: string[] = [];
  for (let r = 0; r < 3; r++) {
    const id = store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
    store.runs.markRunning(id, { backend: 'cpu' });
    for (let e = 1; e <= 30; e++) store.runs.recordEpoch(id, epochRecord(e));
    store.runs.markFinished(id, 'completed');
    ids.push(id);
  }
  store.close();
  return ids;
}

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('openDatabase refuses what it must not write into', () => {
  it('a damaged database (pages overwritten): one sentence, and not a byte written', () => {
    const file = temp();
    populated(file);
    const pageSize = 4096;
    const pages = fs.statSync(file).size / pageSize;
    expect(pages).toBeGreaterThan(20);
    // Garble two leaf pages of the epochs' metrics table: the schema still reads, SQLite's check does
    // not pass. (Chosen by name rather than position, which moves whenever a migration adds a table.)
    const leaves = (() => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare<[], number>("SELECT pageno FROM dbstat WHERE name = 'metrics' AND pagetype = 'leaf' ORDER BY pageno").pluck().all();
      } finally {
        db.close();
      }
    })();
    expect(leaves.length).toBeGreaterThanOrEqual(3);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (leaves[0]! - 1) * pageSize);
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x00), 0, pageSize, (leaves[2]! - 1) * pageSize);
    fs.closeSync(fd);
    const before = sha(file);
    let error: unknown;
    try {
      openStore(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('corrupt');
    const message = (error as StoreError).message;
    expect(message.startsWith(`The database ${file} is damaged (SQLite's check reports: `), message).toBe(true);
    expect(message.endsWith(`), so FFR Workbench will neither use it nor write to it; restore it from a backup, or recover what is readable with \`sqlite3 "${file}" .recover\`.`)).toBe(true);
    expect(message).not.toContain('\n');
    expect(sha(file)).toBe(before);
  });

  it('a truncated database', () => {
    const file = temp();
    populated(file);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 4096 / 2) * 4096);
    expect(() => openStore(file)).toThrow(/ is damaged \(/);
  });

  const readOnlySkip = readOnlyCheckUnavailable([root, os.tmpdir()]);
  it.skipIf(readOnlySkip !== null)(`a read-only data folder, reported as read-only (not as "not an FFR Workbench database")${readOnlySkip ? ` (skipped: ${readOnlySkip})` : ''}`, () => {
    const file = temp();
    openDatabase(file).close();
    // Root writes anywhere, so as root the check runs as user nobody; otherwise the folder is chmod 555.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) fs.chmodSync(path.dirname(path.dirname(file)), 0o755); // mkdtemp's 0700 would hide it from nobody
    else fs.chmodSync(path.dirname(file), 0o555);
    try {
      const script = `import { openStore } from './src-main/store/database.ts';
        try { openStore(${JSON.stringify(file)}); console.log('opened'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        ...(asRoot ? NOBODY : {}),
      });
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as { code: string; message: string } | null;
      expect(out, r.stderr).toEqual({
        code: 'read-only',
        message: `The data directory ${path.dirname(file)} is read-only (${asRoot ? 'file' : 'folder'} not writable: EACCES), so FFR Workbench cannot write its database there; make it writable, or choose another data directory with FFR_HOME.`,
      });
    } finally {
      if (!asRoot) fs.chmodSync(path.dirname(file), 0o755);
    }
  });
});
