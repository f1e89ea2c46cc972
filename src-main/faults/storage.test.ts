/**
 * Fault scenarios, storage, through the real `ffr` command: a truncated, garbled or emptied
 * database; a read-only data directory; truncated and garbled checkpoints; a full disk (a real small
 * tmpfs where mounting is permitted; the always-running equivalents are in jobs.test.ts, SQLITE_FULL
 * from SQLite's size limit, and catalog/models/model-file.test.ts, ENOSPC injected at the write call).
 *
 * What must hold: one sentence on stderr and a non-zero exit, never a stack; nothing written into a
 * database that is damaged; no run silently lost; no truncated file under a checkpoint's name.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyModelFile } from '../catalog/models/model-file';
import { openStore } from '../store';
import { NOBODY, readOnlyCheckUnavailable } from '../store/testing/other-user';
import { ffr, peek, ROOT as repoRoot, tempHome, tinyTrainFlags } from './harness';
import { mountTmpfs, tmpfsAvailability } from './tmpfs';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

/** A data directory with one completed 2-epoch run, made once and copied for each scenario. */
let template = '';
let templateRun = '';
beforeAll(() => {
  template = tempHome('ffr-fault-template-');
  const r = ffr(template, [...tinyTrainFlags({ epochs: 2 }), '--json']);
  expect(r.code, r.stderr).toBe(0);
  templateRun = (JSON.parse(r.stdout) as { runId: string }).runId;
  return () => fs.rmSync(template, { recursive: true, force: true });
});

function copyOfTemplate(): string {
  const h = tempHome();
  homes.push(h);
  fs.cpSync(template, h, { recursive: true });
  return h;
}

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** One line on stderr, "ffr: <sentence>", and no stack trace. */
function oneSentence(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(lines[0]).toMatch(/^ffr: .+\.$/);
  return lines[0]!;
}

describe('fault scenarios: damaged storage', () => {
  it('a 0-byte ffr.sqlite next to runs/ is refused, not replaced by an empty database', () => {
    const h = copyOfTemplate();
    fs.truncateSync(path.join(h, 'ffr.sqlite'), 0);
    for (const extra of ['-wal', '-shm']) fs.rmSync(path.join(h, `ffr.sqlite${extra}`), { force: true });
    for (const args of [['runs', 'list'], tinyTrainFlags({ epochs: 1 })]) {
      const r = ffr(h, args);
      expect(r.code).toBe(1);
      expect(oneSentence(r.stderr)).toBe(
        `ffr: The database ${path.join(h, 'ffr.sqlite')} is empty (0 bytes), but the data directory still holds the files of 1 run(s) in ${path.join(h, 'runs')}; FFR Workbench will not replace it with an empty database: restore ffr.sqlite from a backup, or move the folder's contents away to start afresh.`,
      );
    }
    expect(fs.statSync(path.join(h, 'ffr.sqlite')).size).toBe(0);
  });

  it('a garbled database: `runs show` and `prune` both refuse, and not a byte is written to it', () => {
    const h = copyOfTemplate();
    const file = path.join(h, 'ffr.sqlite');
    const pages = fs.statSync(file).size / 4096;
    const fd = fs.openSync(file, 'r+');
    // Garble the last pages (the epoch tables' b-trees), leaving the runs table readable.
    for (let p = pages - 3; p < pages; p++) fs.writeSync(fd, crypto.randomBytes(4096), 0, 4096, p * 4096);
    fs.closeSync(fd);
    const before = sha(file);
    for (const args of [['runs', 'show', templateRun], ['prune', templateRun, '--ratio', '0.5']]) {
      const r = ffr(h, args);
      expect(r.code, r.stderr).toBe(1);
      expect(oneSentence(r.stderr)).toMatch(new RegExp(`^ffr: The database .*ffr\\.sqlite is damaged \\(.+\\), so FFR Workbench will neither use it nor write to it; .*\\.recover\`\\.$`));
    }
    expect(sha(file)).toBe(before);
    expect(fs.readdirSync(h).filter((f) => f.startsWith('prunes'))).toEqual([]);
  });

  it('a truncated database is refused with the same sentence', () => {
    const h = copyOfTemplate();
    const file = path.join(h, 'ffr.sqlite');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 4096 / 2) * 4096);
    const r = ffr(h, ['runs', 'list']);
    expect(r.code).toBe(1);
    expect(oneSentence(r.stderr)).toMatch(/ is damaged \(/);
  });

  const readOnlySkip = readOnlyCheckUnavailable([repoRoot, os.tmpdir()]);
  it.skipIf(readOnlySkip !== null)(`a read-only data directory is reported as read-only${readOnlySkip ? ` (skipped: ${readOnlySkip})` : ''}`, () => {
    const h = copyOfTemplate();
    const asRoot = process.getuid?.() === 0;
    if (asRoot) fs.chmodSync(h, 0o755);
    else fs.chmodSync(h, 0o555);
    try {
      // Root may write anywhere: as root the command runs as user nobody.
      const r = ffr(h, ['runs', 'list'], asRoot ? { uid: NOBODY.uid } : {});
      expect(r.code, r.stderr).toBe(1);
      expect(oneSentence(r.stderr)).toMatch(new RegExp(`^ffr: The data directory ${h.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is read-only \\(.+\\), so FFR Workbench cannot write its database there; make it writable, or choose another data directory with FFR_HOME\\.$`));
    } finally {
      fs.chmodSync(h, 0o755);
    }
  });

  it('truncated and garbled checkpoints: resume names each damaged file and continues from the newest intact one', () => {
    const h = tempHome();
    homes.push(h);
    const crashed = ffr(h, [...tinyTrainFlags({ epochs: 4 }), '--json'], { env: { FFR_TRAINER_CRASH_AFTER_EPOCH: '3' } });
    expect(crashed.code).toBe(1);
    const runId = peek(h, (db) => db.prepare('SELECT id FROM runs').pluck().get() as string);
    const dir = path.join(h, 'runs', runId, 'checkpoints');
    const [, two, three] = fs.readdirSync(dir).sort().map((n) => path.join(dir, n));
    fs.truncateSync(three!, fs.statSync(three!).size - 1000);
    const garbled = fs.readFileSync(two!);
    garbled.fill(0x41, 100, 200);
    fs.writeFileSync(two!, garbled);

    const r = ffr(h, ['runs', 'resume', runId, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: Model file ${three} is damaged: its checksum does not match its contents`);
    expect(r.stderr).toContain(`warning: Model file ${two} is damaged: its checksum does not match its contents`);
    expect(r.stderr).toContain(`warning: Run ${runId} resumes from its checkpoint of epoch 1.`);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'completed', epochs: 4 });
    for (const n of fs.readdirSync(dir)) expect(verifyModelFile(path.join(dir, n))).toBeNull();
    expect(fs.readdirSync(dir).sort()).toEqual(['epoch-0001.ffrm', 'epoch-0002.ffrm', 'epoch-0003.ffrm', 'epoch-0004.ffrm']);
  });
});

const tmpfs = tmpfsAvailability();

describe('fault scenarios: full disk', () => {
  it.skipIf(!tmpfs.available)(
    `\`ffr train\` on a full 2 MiB tmpfs fails the run with "the disk is full", leaves no truncated checkpoint and no stack${tmpfs.available ? '' : `: skipped, ${tmpfs.reason}`}`,
    () => {
      const mount = mountTmpfs(2 * 1024 * 1024);
      if ('unavailable' in mount) throw new Error(mount.unavailable);
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-full-copy-'));
      try {
        // LeNet-300-100 on 8×8 images: ~0.5 MB per checkpoint, so the disk fills within a few epochs.
        const r = ffr(mount.dir, tinyTrainFlags({ epochs: 12 }));
        process.stderr.write(`full-disk scenario, ffr train printed on stderr:\n${r.stderr}\n`);
        expect(r.code, r.stderr).toBe(1);
        const last = r.stderr.trim().split('\n').pop()!;
        expect(last).toMatch(/^ffr: Run run-[0-9a-z]{6} failed: .*the disk is full\.$/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stderr).not.toMatch(/SqliteError/);
        const runId = /Run (run-[0-9a-z]{6}) failed/.exec(last)![1]!;
        const dir = path.join(mount.dir, 'runs', runId, 'checkpoints');
        const names = fs.readdirSync(dir);
        expect(names.length).toBeGreaterThan(0);
        for (const n of names) {
          expect(n).toMatch(/^epoch-\d{4}\.ffrm$/);
          expect(verifyModelFile(path.join(dir, n))).toBeNull();
        }
        // The run is recorded as failed with the sentence (read from a copy: the full disk has no
        // room for the -shm file a WAL reader needs).
        for (const f of fs.readdirSync(mount.dir).filter((f) => f.startsWith('ffr.sqlite'))) fs.copyFileSync(path.join(mount.dir, f), path.join(copy, f));
        const store = openStore(path.join(copy, 'ffr.sqlite'), { recoverInterrupted: false });
        try {
          const run = store.runs.require(runId);
          expect(run.status).toBe('failed');
          expect(run.error).toMatch(/the disk is full\.$/);
          // Every recorded checkpoint is one of the intact files.
          for (const c of store.checkpoints.list(runId)) expect(names).toContain(path.basename(c.path));
        } finally {
          store.close();
        }
      } finally {
        mount.unmount();
        fs.rmSync(copy, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!tmpfs.available)(
    `the database on a full 512 KiB tmpfs (checkpoints elsewhere): the run ends failed or interrupted with "the disk is full", the host exits with a sentence${tmpfs.available ? '' : `: skipped, ${tmpfs.reason}`}`,
    () => {
      const mount = mountTmpfs(512 * 1024); // room for the schema of every migration and a run, not for its 40 epochs
      if ('unavailable' in mount) throw new Error(mount.unavailable);
      // Only the database is on the small file system: runs/ (the checkpoints) is a link to a
      // normal folder, so SQLite is the one that runs out of space (SQLITE_FULL), not the trainer.
      const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-full-runs-'));
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-full-copy-'));
      try {
        fs.symlinkSync(runs, path.join(mount.dir, 'runs'));
        const r = ffr(mount.dir, tinyTrainFlags({ epochs: 40 }));
        process.stderr.write(`database-on-full-disk scenario, ffr train printed on stderr:\n${r.stderr}\n`);
        expect(r.code, r.stderr).toBe(1);
        const last = r.stderr.trim().split('\n').pop()!;
        expect(last).toMatch(/^ffr: Run run-[0-9a-z]{6} failed: Recording (epoch \d+ of )?the run failed: the disk is full\.$/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stderr).not.toMatch(/SqliteError|database or disk is full/);
        const runId = /Run (run-[0-9a-z]{6}) failed/.exec(last)![1]!;
        // After a restart (here: on a copy with room to spare), the run is failed or interrupted
        // with a sentence, never left running.
        for (const f of fs.readdirSync(mount.dir).filter((f) => f.startsWith('ffr.sqlite'))) fs.copyFileSync(path.join(mount.dir, f), path.join(copy, f));
        const store = openStore(path.join(copy, 'ffr.sqlite'));
        try {
          const run = store.runs.require(runId);
          expect(['failed', 'interrupted']).toContain(run.status);
          expect(run.error).toMatch(/the disk is full\.$|^The process running it stopped before it finished\.$/);
        } finally {
          store.close();
        }
      } finally {
        mount.unmount();
        fs.rmSync(runs, { recursive: true, force: true });
        fs.rmSync(copy, { recursive: true, force: true });
      }
    },
  );
});
