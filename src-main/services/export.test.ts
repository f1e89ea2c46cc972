/**
 * Exports over a real store and real trainer processes, through the API's export.run (the CLI
 * calls the same ExportService): output folders that would lose data are refused with one sentence
 * and the data directory stays whole; --force replaces only a previous export; an export that fails
 * (verification, the trainer, the store) leaves the folder as it was and records nothing.
 *
 * The data directory sits one level down in a temporary folder of its own, so that "a folder
 * containing the data directory" is that temporary folder, never /tmp.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import { createApi, type Api } from './api';
import { createApp, type App } from './app';
import { ExportService } from './export';
import { homePaths } from './home';
import { tinyConfig, waitFor } from './testing/host';
import { nodeTrainerLauncher } from './trainer-launcher';

let base: string;
let app: App;
let api: Api;
let runId: string;
let checkpoint: string;

beforeAll(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-export-')));
  app = createApp({ paths: homePaths(path.join(base, 'data')), launcher: nodeTrainerLauncher() });
  api = createApi(app, { shell: 'test', backendStatuses: async () => [{ name: 'cpu', available: true }] });
  const run = await api.call('runs.create', { config: tinyConfig({ epochs: 1 }) });
  runId = run.id;
  await waitFor(() => app.store.runs.require(runId).status === 'completed' && !app.jobs.isActive(runId), 'the run to complete');
  checkpoint = app.store.checkpoints.latest(runId)!.path;
});
afterAll(async () => {
  api.dispose();
  await app.close();
  fs.rmSync(base, { recursive: true, force: true });
});

/** The data directory is whole: a fresh connection opens the database and finds the run and its checkpoint. */
function expectDataDirIntact(): void {
  const store = openStore(app.paths.database);
  try {
    expect(store.runs.list().map((r) => r.id)).toContain(runId);
    expect(store.checkpoints.latest(runId)?.path).toBe(checkpoint);
  } finally {
    store.close();
  }
  expect(fs.statSync(checkpoint).size).toBeGreaterThan(0);
}

/** No temporary or set-aside folders next to the outputs. */
function leftovers(): string[] {
  return fs.readdirSync(base).filter((f) => /\.(tmp|old)-/.test(f));
}

const reportOf = (dir: string): { createdAt: string; files: string[] } =>
  JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { createdAt: string; files: string[] };

describe('export output folders', () => {
  it('refuses the data directory, a folder containing it, a folder inside it and a link to it, even with force', async () => {
    fs.symlinkSync(app.paths.home, path.join(base, 'link-to-data'));
    const cases: Array<[string, RegExp]> = [
      [app.paths.home, /is the workbench's data directory; choose a folder of its own\.$/],
      [path.join(base, 'link-to-data'), /link-to-data \(really .*data\) is the workbench's data directory/],
      [path.join(base, 'elsewhere', '..', 'data'), /is the workbench's data directory/],
      [base, /contains the workbench's data directory/],
      [app.paths.runsDir, /lies inside the workbench's data directory/],
      [path.join(base, 'link-to-data', 'runs', runId), /lies inside the workbench's data directory/],
      [app.paths.exportsDir, /lies inside the workbench's data directory/],
      // `/` and the home folder are refused by the same check (export-target.test.ts); never tried
      // here with force, where a broken check would delete them for real.
    ];
    for (const [outDir, message] of cases) {
      const reply = await api.dispatch('export.run', { target: runId, format: 'onnx', outDir, force: true });
      expect(reply, outDir).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(message) } });
      // One sentence: a single line ending with a full stop.
      if (!reply.ok) expect(reply.error.message).toMatch(/^[^\n]*[^.]\.$/);
    }
    expectDataDirIntact();
    expect(leftovers()).toEqual([]);
    expect(app.store.exports.listBySource(runId)).toEqual([]);
    // The default place (below the data directory's exports folder) is fine.
    const placed = await api.call('export.run', { target: runId, format: 'onnx' });
    expect(path.dirname(placed.dir)).toBe(app.paths.exportsDir);
    expectDataDirIntact();
  });

  it('lets force replace a previous export, and nothing else', async () => {
    const out = path.join(base, 'models', 'mlp');
    const first = await api.call('export.run', { target: runId, format: 'onnx', outDir: out });
    expect(fs.readdirSync(out).sort()).toEqual([...first.files].sort());
    const without = await api.dispatch('export.run', { target: runId, format: 'onnx', outDir: out });
    expect(without).toMatchObject({ ok: false, error: { code: 'invalid-input', message: `The output folder ${out} exists and is not empty; pass --force to replace a previous export.` } });
    const second = await api.call('export.run', { target: runId, format: 'tfjs', outDir: out, force: true });
    expect(fs.readdirSync(out).sort()).toEqual([...second.files].sort());
    expect(reportOf(out).createdAt).toBe(second.report.createdAt);
    // One row per folder: the replaced export's row is gone.
    expect(app.store.exports.listBySource(runId).filter((e) => e.dir === out).map((e) => e.id)).toEqual([second.exportId]);

    const notes = path.join(base, 'notes');
    fs.mkdirSync(notes);
    fs.writeFileSync(path.join(notes, 'thesis.tex'), 'months of work');
    const refused = await api.dispatch('export.run', { target: runId, format: 'onnx', outDir: notes, force: true });
    expect(refused).toMatchObject({ ok: false, error: { message: `--force replaces only a previous export, and ${notes} has no report.json; it was left as it is.` } });
    expect(fs.readdirSync(notes)).toEqual(['thesis.tex']);
    expect(leftovers()).toEqual([]);
    expectDataDirIntact();
  });

  describe('an export that fails', () => {
    // One previous export that every failure below tries to replace.
    const out = (): string => path.join(base, 'previous');
    let before: { files: string[]; report: { createdAt: string } };
    beforeAll(async () => {
      before = await api.call('export.run', { target: runId, format: 'onnx', outDir: out() });
    });
    const expectPreviousExport = (): void => {
      expect(reportOf(out()).createdAt).toBe(before.report.createdAt);
      expect(fs.readdirSync(out()).sort()).toEqual([...before.files].sort());
    };

    it('fails verification: the folder stays as it was and nothing is recorded', async () => {
      const rows = app.store.exports.listBySource(runId).length;
      // The same services, but a tolerance no export can meet: every verification fails.
      const strict = new ExportService(app.store, app.tools, app.prunes, app.paths, { verifyTolerance: -1 });
      await expect(strict.export({ target: runId, format: 'onnx', outDir: out(), force: true })).rejects.toThrow(
        new RegExp(`^The onnx export of ${runId} failed verification: reloaded, it differs from the workbench by up to .* on 8 synthetic test images \\(at most -1e\\+0 allowed\\); ${out()} was left as it was\\.$`),
      );
      expectPreviousExport();
      const fresh = path.join(base, 'never-verified');
      await expect(strict.export({ target: runId, format: 'tfjs', outDir: fresh })).rejects.toThrow(/failed verification/);
      expect(fs.existsSync(fresh)).toBe(false);
      expect(app.store.exports.listBySource(runId)).toHaveLength(rows);
      expect(leftovers()).toEqual([]);
    });

    it('cannot be recorded: the previous export is put back', async () => {
      const rows = app.store.exports.listBySource(runId).length;
      // Fault injection: the store refuses the row (as a full disk would).
      const create = app.store.exports.create.bind(app.store.exports);
      app.store.exports.create = () => {
        throw new Error('database or disk is full');
      };
      try {
        const reply = await api.dispatch('export.run', { target: runId, format: 'tfjs', outDir: out(), force: true });
        expect(reply).toMatchObject({ ok: false, error: { message: 'database or disk is full.' } });
      } finally {
        app.store.exports.create = create;
      }
      expectPreviousExport();
      expect(app.store.exports.listBySource(runId)).toHaveLength(rows);
      expect(leftovers()).toEqual([]);
    });

    it('fails in the trainer: the previous export stays', async () => {
      const saved = fs.readFileSync(checkpoint);
      fs.writeFileSync(checkpoint, saved.subarray(0, 100)); // a damaged checkpoint: the trainer cannot load it
      try {
        const reply = await api.dispatch('export.run', { target: runId, format: 'onnx', outDir: out(), force: true });
        expect(reply.ok).toBe(false);
      } finally {
        fs.writeFileSync(checkpoint, saved);
      }
      expectPreviousExport();
      expect(leftovers()).toEqual([]);
    });
  });
});
