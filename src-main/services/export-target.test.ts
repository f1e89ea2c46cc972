/**
 * The output-folder check every export runs (CLI, API, demo) on a real file system: the data
 * directory, folders containing it or inside it, `/`, the home folder, symbolic links and `..`
 * onto them, and what `force` may replace. The check never deletes anything, so even `/` and the
 * real home folder are safe to try here with force.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExportTarget, realPathOf } from './export-target';
import { homePaths, type HomePaths } from './home';

let base: string;
let paths: HomePaths;
let user: string;

beforeAll(() => {
  // Real paths throughout: a tmp folder behind a symbolic link (macOS /var) would only rename them.
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-export-target-')));
  paths = homePaths(path.join(base, 'data'));
  for (const d of [paths.runsDir, paths.exportsDir]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(paths.database, 'not empty');
  user = path.join(base, 'user');
  fs.mkdirSync(user);
  fs.symlinkSync(paths.home, path.join(base, 'link-to-data'));
  fs.symlinkSync(base, path.join(base, 'link-to-base'));
  fs.symlinkSync(path.join(base, 'nowhere'), path.join(base, 'dangling'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const check = (out: string, force = true) => checkExportTarget(out, paths, force, user);

/** Writes a previous export: the files its report lists, and the report. */
function previousExport(dir: string, files = ['model.onnx']): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(dir, f), 'x');
  const report = {
    format: 'onnx', arch: 'mlp', inputShape: [8, 8, 1], layout: 'NHWC', classes: 3, widths: { fc1: 4 }, params: 1, macs: 1, accuracy: null,
    sourceRunId: 'run-a', pruneId: null, verified: true, maxAbsDiff: 0, verifiedOn: '8 synthetic test images', files: [...files, 'report.json'],
    createdAt: new Date(0).toISOString(),
  };
  fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
}

describe('checkExportTarget', () => {
  it('refuses the data directory, under any spelling', () => {
    for (const spelling of [paths.home, `${paths.home}/`, path.join(base, 'link-to-data'), path.join(user, '..', 'data'), path.join(base, 'link-to-base', 'data'), path.join(paths.runsDir, '..')]) {
      expect(() => check(spelling), spelling).toThrow(/^The output folder .* is the workbench's data directory; choose a folder of its own\.$/);
    }
    // A relative path is resolved against the working directory like any other.
    expect(() => check(path.relative(process.cwd(), paths.home))).toThrow(/is the workbench's data directory/);
  });

  it('refuses a folder containing the data directory', () => {
    for (const spelling of [base, path.join(base, 'link-to-base'), path.join(paths.home, '..')]) {
      expect(() => check(spelling), spelling).toThrow(/^The output folder .* contains the workbench's data directory .*; choose a folder of its own\.$/);
    }
  });

  it('refuses a folder inside the data directory, except below its exports folder', () => {
    for (const inside of [paths.runsDir, path.join(paths.runsDir, 'run-a', 'new'), path.join(paths.home, 'demo'), path.join(base, 'link-to-data', 'x'), paths.exportsDir]) {
      expect(() => check(inside), inside).toThrow(/^The output folder .* lies inside the workbench's data directory .*; choose a folder outside it, or one below .*exports\.$/);
    }
    expect(check(path.join(paths.exportsDir, 'run-a-onnx'))).toEqual({ dir: path.join(paths.exportsDir, 'run-a-onnx'), replaces: false });
    expect(check(path.join(base, 'link-to-data', 'exports', 'demo', 'ffr-onnx')).dir).toBe(path.join(paths.exportsDir, 'demo', 'ffr-onnx'));
  });

  it('refuses the root of the file system and the home folder, and folders containing it', () => {
    expect(() => check('/')).toThrow(/^The output folder \/ is the root of the file system; choose a folder of its own\.$/);
    expect(() => check('/../..')).toThrow(/is the root of the file system/);
    expect(() => check(user)).toThrow(/^The output folder .*user is your home folder; choose a folder of its own\.$/);
    // The real one too (os.homedir()); with force, as `--out ~ --force` would.
    expect(() => checkExportTarget(os.homedir(), paths, true)).toThrow(/is your home folder|contains the workbench's data directory|root of the file system/);
    const parentOfUser = path.join(base, 'users');
    fs.mkdirSync(path.join(parentOfUser, 'me'), { recursive: true });
    expect(() => checkExportTarget(parentOfUser, paths, true, path.join(parentOfUser, 'me'))).toThrow(/contains your home folder/);
    // A folder of its own inside the home folder is fine.
    expect(check(path.join(user, 'models', 'lenet'))).toEqual({ dir: path.join(user, 'models', 'lenet'), replaces: false });
  });

  it('refuses a path through a symbolic link to nothing', () => {
    expect(() => check(path.join(base, 'dangling'))).toThrow(/goes through .*dangling, a symbolic link to nothing\./);
    expect(() => check(path.join(base, 'dangling', 'x'))).toThrow(/a symbolic link to nothing/);
  });

  it('lets force replace only a folder holding a previous export and nothing else', () => {
    const notes = path.join(base, 'notes');
    fs.mkdirSync(notes);
    fs.writeFileSync(path.join(notes, 'thesis.tex'), 'months of work');
    expect(() => check(notes, false)).toThrow(/^The output folder .*notes exists and is not empty; pass --force to replace a previous export\.$/);
    expect(() => check(notes)).toThrow(/^--force replaces only a previous export, and .*notes has no report\.json; it was left as it is\.$/);
    fs.writeFileSync(path.join(notes, 'report.json'), '{"not": "an export report"}');
    expect(() => check(notes)).toThrow(/has a report\.json that is not an export report; it was left as it is\./);

    const old = path.join(base, 'old-export');
    previousExport(old);
    expect(() => check(old, false)).toThrow(/exists and is not empty; pass --force/);
    expect(check(old)).toEqual({ dir: old, replaces: true });
    // Through a link: the real folder is the one replaced.
    fs.symlinkSync(old, path.join(base, 'latest'));
    expect(check(path.join(base, 'latest'))).toEqual({ dir: old, replaces: true });
    fs.writeFileSync(path.join(old, 'README.md'), 'my notes about this model');
    expect(() => check(old)).toThrow(/^--force replaces only a previous export, and .*old-export also holds a file its report does not list \(README\.md\); it was left as it is\.$/);

    const file = path.join(base, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => check(file)).toThrow(/^The output .*a-file exists and is not a folder\.$/);
    const empty = path.join(base, 'empty');
    fs.mkdirSync(empty);
    expect(check(empty, false)).toEqual({ dir: empty, replaces: false });
    // Everything is still there.
    expect(fs.readFileSync(path.join(notes, 'thesis.tex'), 'utf8')).toBe('months of work');
    expect(fs.readFileSync(paths.database, 'utf8')).toBe('not empty');
  });

  it('resolves real paths of folders that do not exist yet', () => {
    expect(realPathOf(path.join(base, 'link-to-data', 'a', 'b'))).toBe(path.join(paths.home, 'a', 'b'));
    expect(realPathOf(path.join(base, 'link-to-base', 'x', '..', 'y'))).toBe(path.join(base, 'y'));
    expect(realPathOf('/')).toBe('/');
  });
});
