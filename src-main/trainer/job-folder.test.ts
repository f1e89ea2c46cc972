/**
 * The trainer's job-folder transport (Slurm), with real trainer processes: no host process exists
 * for such a trainer, so it must neither watch for one nor wait for a host's `exit`; it reads its
 * job from the folder, appends its messages there, and stops on the folder's cancel file.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RunConfig, completeRunConfig } from '../shared/run-config';
import { JOB_FOLDER, TrainerMessage, type TrainJob } from './protocol';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = path.join(root, 'src-main', 'trainer', 'main.ts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-job-folder-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function jobDir(name: string, job: unknown): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, JOB_FOLDER.job), typeof job === 'string' ? job : JSON.stringify(job));
  return dir;
}

function trainJob(dir: string, o: { epochs: number; trainSize?: number }): TrainJob {
  const config = RunConfig.parse(
    completeRunConfig({
      model: 'mlp',
      dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: o.trainSize ?? 96, testSize: 32 },
      epochs: o.epochs,
      batchSize: 16,
      backend: 'cpu',
      regularizer: 'none',
    }),
  );
  return { kind: 'train', runId: 'run-folder', config, checkpointDir: path.join(dir, 'checkpoints'), start: { from: 'scratch' } };
}

function messages(dir: string): TrainerMessage[] {
  const file = path.join(dir, JOB_FOLDER.messages);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => TrainerMessage.parse(JSON.parse(l)));
}

const folderEnv = (dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  FFR_WASM_THREADS: '1',
  [JOB_FOLDER.transportEnv]: 'file',
  [JOB_FOLDER.dirEnv]: dir,
  ...extra,
});

async function until<T>(what: string, fn: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the job-folder transport', () => {
  it('trains to the end with no host: a dead FFR_HOST_PID and a parent that exits are ignored, and it exits without waiting for `exit`', async () => {
    const dir = path.join(tmp, 'no-host');
    fs.mkdirSync(dir);
    jobDir('no-host', trainJob(dir, { epochs: 2 }));
    // The parent (a shell, as in a batch script) leaves at once; FFR_HOST_PID names no process.
    const pidFile = path.join(dir, 'pid');
    const shell = spawnSync('bash', ['-c', `"${process.execPath}" --import tsx "${entry}" >/dev/null 2>&1 & echo $! > "${pidFile}"`], {
      cwd: root,
      env: folderEnv(dir, { FFR_HOST_PID: '2147483646' }),
    });
    expect(shell.status).toBe(0);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const done = await until('the final message', () => messages(dir).find((m) => m.type === 'done'));
    const doneAt = Date.now();
    await until('the trainer to exit', () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    expect(done).toEqual({ type: 'done', status: 'completed' });
    // A host-less trainer does not wait the 10 s an IPC trainer gives its host to answer.
    expect(Date.now() - doneAt).toBeLessThan(3000);
    const types = messages(dir).map((m) => m.type);
    expect(types[0]).toBe('started');
    expect(types.filter((t) => t === 'epoch')).toHaveLength(2);
    const epochs = messages(dir).filter((m): m is Extract<TrainerMessage, { type: 'epoch' }> => m.type === 'epoch');
    expect(epochs.map((e) => path.dirname(e.record.checkpoint!.path))).toEqual([path.join(dir, 'checkpoints'), path.join(dir, 'checkpoints')]);
  }, 90_000);

  it('stops at its next step once the cancel file appears, and says so as its final message', async () => {
    const dir = path.join(tmp, 'cancel');
    fs.mkdirSync(dir);
    jobDir('cancel', trainJob(dir, { epochs: 200, trainSize: 2000 }));
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      env: folderEnv(dir, { FFR_TRAINER_CANCEL_FILE: path.join(dir, JOB_FOLDER.cancel) }),
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await until('the first progress line', () => messages(dir).find((m) => m.type === 'progress'));
    fs.writeFileSync(path.join(dir, JOB_FOLDER.cancel), 'cancel');
    const raisedAt = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - raisedAt).toBeLessThan(10_000);
    expect(messages(dir).at(-1)).toEqual({ type: 'done', status: 'cancelled' });
  }, 90_000);

  it('refuses a job file that is not a job with a failed message naming it, and exit code 1', async () => {
    const dir = jobDir('bad', '{"kind":"train","runId":3}');
    const r = spawnSync(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: folderEnv(dir), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    const [only] = messages(dir);
    expect(only).toMatchObject({ type: 'failed', error: expect.stringContaining(`The job file ${path.join(dir, 'job.json')} is not a valid job`) });
  }, 90_000);
});
