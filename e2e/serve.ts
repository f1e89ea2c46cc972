/**
 * Starts `ffr serve --port 0 --json` on a data directory and reads the {url, token} document it
 * prints once listening. Used by the global setup (the shared server) and by journeys that need
 * a server of their own (e.g. one whose trainers crash on purpose).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Served {
  /** The URL with the token, as printed. */
  url: string;
  origin: string;
  token: string;
  home: string;
  stop(): Promise<void>;
}

export async function startServe(o: { env?: Record<string, string>; home?: string; concurrency?: number } = {}): Promise<Served> {
  const home = o.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/ffr.js'), 'serve', '--port', '0', '--json', '--concurrency', String(o.concurrency ?? 1)],
    { cwd: ROOT, env: { ...process.env, FFR_HOME: home, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const doc = await new Promise<{ url: string; token: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ffr serve did not start in 60 s.\n${stderr}`)), 60_000);
    const check = (): void => {
      try {
        const parsed = JSON.parse(stdout) as { url: string; token: string; port: number };
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        /* the JSON document is not complete yet */
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ffr serve exited with code ${code}.\n${stderr}`));
    });
  });
  return {
    url: doc.url,
    origin: new URL(doc.url).origin,
    token: doc.token,
    home,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!o.home) fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
