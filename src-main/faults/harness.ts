/**
 * What the fault scenarios share: the real `ffr` command in a child process over a temporary data
 * directory, a read-only look into its database (no recovery, no writes), and process checks.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'ffr.js');

/** Flags of a tiny synthetic MLP run on the cpu backend; `trainSize`/`batch` set the epoch length. */
export function tinyTrainFlags(o: { epochs: number; trainSize?: number; batchSize?: number }): string[] {
  return [
    'train', '--model', 'mlp', '--dataset', 'synthetic', '--image-shape', '8x8x1', '--classes', '3',
    '--train-size', String(o.trainSize ?? 96), '--test-size', '32', '--batch-size', String(o.batchSize ?? 16),
    '--epochs', String(o.epochs), '--backend', 'cpu', '--regularizer', 'none',
  ];
}

export function tempHome(prefix = 'ffr-fault-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `ffr …` to its end. */
export function ffr(home: string, args: string[], o: { env?: Record<string, string>; uid?: number } = {}): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, FFR_HOME: home, ...o.env },
    encoding: 'utf8',
    timeout: 180_000,
    ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface Running {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `ffr …` in the background. */
export function startFfr(home: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, FFR_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** Reads the data directory's database without recovering or writing anything. */
export function peek<T>(home: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(home, 'ffr.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The trainer pid holding a run's lock, once there is one. */
export function trainerOf(home: string, runId: string): number | null {
  if (!fs.existsSync(path.join(home, 'ffr.sqlite'))) return null;
  try {
    return peek(home, (db) => (db.prepare('SELECT trainer_pid FROM run_locks WHERE run_id = ?').pluck().get(runId) as number | null | undefined) ?? null);
  } catch {
    return null; // the database is being created
  }
}

/** Epochs recorded for a run. */
export function epochsOf(home: string, runId: string): number[] {
  return peek(home, (db) => db.prepare('SELECT epoch FROM metrics WHERE run_id = ? ORDER BY epoch').pluck().all(runId) as number[]);
}

export function onlyRunId(home: string): string | null {
  if (!fs.existsSync(path.join(home, 'ffr.sqlite'))) return null;
  try {
    return peek(home, (db) => (db.prepare('SELECT id FROM runs').pluck().get() as string | undefined) ?? null);
  } catch {
    return null;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) is not alive.
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

/** Resolves with the time it took until `predicate` held; rejects after `timeoutMs`. */
export async function within(predicate: () => boolean, what: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}
