/**
 * CLI-level: prune, sweep and export on a tiny synthetic run, through `node bin/ffr.js` with a
 * temporary FFR_HOME, including the refusals (one sentence, non-zero exit, nothing left behind).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import { defaultRunConfig } from '../shared/run-config';

const root = path.resolve(import.meta.dirname, '../..');
// The data directory and the export folders live apart: exports may not go into the data directory.
const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-cli-prune-')));
const home = path.join(base, 'data');
const outside = path.join(base, 'models');
fs.mkdirSync(outside);

function ffr(...args: string[]): { code: number; stdout: string; stderr: string } {
  return ffrWith({}, ...args);
}

function ffrWith(env: Record<string, string>, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/ffr.js'), ...args], {
    cwd: root,
    env: { ...process.env, FFR_HOME: home, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(r: { code: number; stdout: string; stderr: string }): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** The rows of a table, read directly (the CLI is the only writer while no command runs). */
function count(table: 'prunes' | 'exports' | 'sweeps'): number {
  const store = openStore(path.join(home, 'ffr.sqlite'));
  try {
    return (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    store.close();
  }
}

let runId = '';

beforeAll(() => {
  const run = json<{ runId: string; status: string }>(
    ffr('train', '--model', 'mlp', '--width', '0.5', '--dataset', 'synthetic', '--image-shape', '16x16x1', '--classes', '3',
      '--train-size', '96', '--test-size', '48', '--epochs', '1', '--backend', 'cpu', '--json'),
  );
  expect(run.status).toBe('completed');
  runId = run.runId;
}, 300_000);
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('ffr prune / sweep / export', () => {
  it('refuses wrong input with one sentence and leaves nothing behind', () => {
    const cases: Array<[string[], RegExp]> = [
      [['prune', runId, '--ratio', '1.5'], /The prune ratio must be between 0 and 1, got 1.5/],
      [['prune', runId, '--threshold', '1'], /would remove every channel of layer fc1/],
      [['prune', 'run-nope', '--ratio', '0.5'], /There is no run "run-nope"/],
      [['prune', runId], /exactly one of --threshold or --ratio/],
      [['export', 'nothing-here', '--format', 'onnx', '--out', path.join(outside, 'x')], /There is no run or prune "nothing-here"/],
    ];
    for (const [args, message] of cases) {
      const r = ffr(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(count('prunes')).toBe(0);
    expect(fs.readdirSync(path.join(home, 'prunes')).length).toBe(0);
    expect(fs.existsSync(path.join(outside, 'x'))).toBe(false);
  }, 300_000);

  it('refuses export folders that would lose data, with one sentence, and the data directory stays whole', () => {
    // HOME points at a folder of the test's own, so that `--out ~ --force` can be tried safely.
    const user = path.join(base, 'user');
    fs.mkdirSync(user, { recursive: true });
    fs.writeFileSync(path.join(user, 'keep.txt'), 'mine');
    fs.symlinkSync(home, path.join(base, 'link-to-data'));
    const notes = path.join(base, 'notes');
    fs.mkdirSync(notes, { recursive: true });
    fs.writeFileSync(path.join(notes, 'thesis.tex'), 'months of work');
    const cases: Array<[string[], RegExp]> = [
      // The reported defect: this exited 0, "verified", with the database and checkpoints gone.
      [['--out', home, '--force'], new RegExp(`^ffr: The output folder ${home} is the workbench's data directory; choose a folder of its own\\.$`)],
      [['--out', path.join(base, 'link-to-data'), '--force'], /link-to-data \(really .*\/data\) is the workbench's data directory/],
      // A folder containing it or inside it: the same check, tried through the API in services/export.test.ts.
      [['--out', user, '--force'], new RegExp(`^ffr: The output folder ${user} is your home folder; choose a folder of its own\\.$`)],
      // Without --force: with it, a broken check would delete the whole file system (tested on the check itself).
      [['--out', '/'], /^ffr: The output folder \/ is the root of the file system; choose a folder of its own\.$/],
      [['--out', notes, '--force'], /^ffr: --force replaces only a previous export, and .*notes has no report\.json; it was left as it is\.$/],
    ];
    for (const [args, message] of cases) {
      const r = ffrWith({ HOME: user }, 'export', runId, '--format', 'onnx', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim(), args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
    // Everything is where it was: the database opens and lists the run, its checkpoint is there.
    const list = json<{ runs: Array<{ id: string }> }>(ffr('runs', 'list', '--json'));
    expect(list.runs.map((r) => r.id)).toContain(runId);
    const store = openStore(path.join(home, 'ffr.sqlite'));
    try {
      expect(fs.existsSync(store.checkpoints.latest(runId)!.path)).toBe(true);
    } finally {
      store.close();
    }
    expect(fs.readFileSync(path.join(user, 'keep.txt'), 'utf8')).toBe('mine');
    expect(fs.readdirSync(notes)).toEqual(['thesis.tex']);
    expect(count('exports')).toBe(0);
  }, 300_000);

  it('refuses an unfinished run', () => {
    const store = openStore(path.join(home, 'ffr.sqlite'));
    const queued = store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig() }).id;
    store.close();
    const r = ffr('prune', queued, '--ratio', '0.5');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Run ${queued} is queued; only a completed run`));
    const e = ffr('export', queued, '--format', 'tfjs', '--out', path.join(outside, 'q'));
    expect(e.code).not.toBe(0);
    expect(count('prunes')).toBe(0);
  }, 300_000);

  it('prunes, fine-tunes, sweeps and exports', () => {
    const p = json<{
      pruneId: string;
      childRunId: string | null;
      params: { before: number; after: number };
      macs: { before: number; after: number };
      accuracy: { before: number; pruned: number; finetuned: number | null };
      layers: Array<{ name: string; before: number; after: number }>;
    }>(ffr('prune', runId, '--ratio', '0.5', '--criterion', 'l2', '--finetune-epochs', '1', '--json'));
    expect(p.params.after).toBeLessThan(p.params.before);
    expect(p.macs.after).toBeLessThan(p.macs.before);
    expect(p.layers.map((l) => [l.name, l.before, l.after])).toEqual([['fc1', 150, 75], ['fc2', 50, 25]]);
    expect(p.childRunId).not.toBeNull();
    expect(typeof p.accuracy.finetuned).toBe('number');
    expect(count('prunes')).toBe(1);

    // No --criterion: the source run's regularizer (ffr) decides — output spread.
    const s = json<{ points: Array<{ threshold: number; params: number; macs: number; accuracy: number }> }>(
      ffr('prune', 'sweep', runId, '--thresholds', '0.9,0.1,0.5', '--json'),
    );
    expect(s.points.map((x) => x.threshold)).toEqual([0.1, 0.5, 0.9]);
    for (let i = 1; i < s.points.length; i++) expect(s.points[i]!.params).toBeLessThanOrEqual(s.points[i - 1]!.params);
    expect(count('sweeps')).toBe(1);
    const store = openStore(path.join(home, 'ffr.sqlite'));
    try {
      const stored = store.db.prepare('SELECT options FROM sweeps').get() as { options: string };
      expect(JSON.parse(stored.options).criterion).toBe('spread');
    } finally {
      store.close();
    }

    const sweep = ffr('prune', 'sweep', runId, '--thresholds', '0.9,0.1,0.5,0', '--criterion', 'l1', '--json');
    const v = json<{ reference: { split: string; accuracy: number; images: number }; points: Array<{ threshold: number; params: number; accuracy: number }> }>(sweep);
    expect(v.points.map((x) => x.threshold)).toEqual([0, 0.1, 0.5, 0.9]);
    // Measured on the validation split, the reference on the same images as the points: threshold 0
    // removes nothing (no filter has an L1 norm of 0) and so equals the reference exactly.
    const run = json<{ metrics: Array<{ valAccuracy: number }> }>(ffr('runs', 'show', runId, '--json'));
    expect(v.reference).toEqual({ split: 'val', accuracy: run.metrics.at(-1)!.valAccuracy, images: 10 });
    expect(v.points[0]!.params).toBe(p.params.before);
    expect(v.points[0]!.accuracy).toBe(v.reference.accuracy);
    expect(sweep.stderr).toContain('sweep: point 4/4');
    expect(count('sweeps')).toBe(2);

    for (const format of ['onnx', 'tfjs']) {
      const out = path.join(outside, `out-${format}`);
      const e = json<{ format: string; files: string[]; params: number; verified: boolean; maxAbsDiff: number }>(
        ffr('export', p.pruneId, '--format', format, '--out', out, '--json'),
      );
      expect(e.verified).toBe(true);
      expect(e.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(e.params).toBe(p.params.after);
      expect(fs.readdirSync(out).sort()).toEqual([...e.files].sort());
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as { sourceRunId: string; pruneId: string };
      expect(report).toMatchObject({ sourceRunId: runId, pruneId: p.pruneId });
    }
    // Exists and not empty: refused without --force (before any trainer starts), replaced with it.
    const out = path.join(outside, 'out-onnx');
    const again = ffr('export', p.pruneId, '--format', 'onnx', '--out', out);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists and is not empty; pass --force/);
    expect(ffr('export', p.pruneId, '--format', 'onnx', '--out', out, '--force').code).toBe(0);
    // One row per folder: the forced export replaced the first one's row.
    expect(count('exports')).toBe(2);
    // No temporary folders left next to the outputs.
    expect(fs.readdirSync(outside).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);

    // The TF.js export loads in a plain @tensorflow/tfjs process (no workbench code).
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import fs from 'node:fs';
      import path from 'node:path';
      const dir = process.argv[1];
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
      const model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }));
      const y = model.predict(tf.zeros([2, 16, 16, 1]));
      console.log(JSON.stringify(y.shape));
    `;
    const plain = spawnSync(process.execPath, ['--input-type=module', '-e', script, path.join(outside, 'out-tfjs')], { cwd: root, encoding: 'utf8' });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout.trim().split('\n').pop()).toBe('[2,3]');
  }, 400_000);
});
