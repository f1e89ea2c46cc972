/**
 * The `ffr` command end to end: a real process, a real trainer process, a real SQLite file.
 * Tiny synthetic data and an MLP on the CPU backend keep it fast.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { writeImageFolderFixture } from '../catalog/datasets/testing/fixtures';
import { DEFAULT_FFR } from '../shared/run-config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-cli-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function ffr(...args: string[]) {
  return ffrWith({}, ...args);
}

function ffrWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'ffr.js'), ...args], {
    cwd: root,
    env: { ...process.env, FFR_HOME: home, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tiny = ['--dataset', 'synthetic', '--image-shape', '8x8x1', '--classes', '3', '--train-size', '96', '--test-size', '48'];

/** Rows a refused command must not add: runs, and projects (`--project` names a new one). */
function rowCounts(): { runs: number; projects: number } {
  const file = path.join(home, 'ffr.sqlite');
  if (!fs.existsSync(file)) return { runs: 0, projects: 0 };
  const db = new Database(file, { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { runs: count('runs'), projects: count('projects') };
  } finally {
    db.close();
  }
}

describe('ffr CLI', () => {
  let ffrRun = '';
  let baseRun = '';

  it('info --json lists the backends and says why the unavailable ones are', () => {
    const r = ffr('info', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.home).toBe(home);
    expect(info.backends.map((b: { name: string }) => b.name)).toEqual(['tensorflow', 'webgpu', 'onednn', 'wasm', 'cpu']);
    for (const b of info.backends) if (!b.available) expect(b.reason).toMatch(/\w/);
    // auto: the first available in that order, passing a software WebGPU adapter by (onednn wherever
    // its addon is built).
    const usable = info.backends.find((b: { name: string; available: boolean; software?: boolean }) => b.available && !(b.name === 'webgpu' && b.software));
    expect(info.selected).toBe(usable.name);
  });

  it('info shows why onednn is unavailable, with the install command, as the trainer probe found it', () => {
    // The backends are probed in a trainer process: the reason has to cross the tool job.
    const r = ffrWith({ FFR_ONEDNN_ADDON: path.join(home, 'no-addon-here', 'ffr_onednn.node') }, 'info', '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    const onednn = info.backends.find((b: { name: string }) => b.name === 'onednn');
    expect(onednn).toMatchObject({ available: false });
    expect(onednn.reason).toContain('no-addon-here');
    expect(onednn.reason).toMatch(/npm run build:onednn/);
    expect(info.selected).not.toBe('onednn');
  });

  it('model info --json gives the literature numbers for resnet20 on cifar10', () => {
    const r = ffr('model', 'info', '--model', 'resnet20', '--dataset', 'cifar10', '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ model: 'resnet20', dataset: 'cifar10', inputShape: [32, 32, 3], classes: 10 });
    expect(Math.abs(m.params - 0.27e6) / 0.27e6).toBeLessThan(0.01);
    expect(m.layers[0]).toMatchObject({ name: 'stem', kind: 'conv', outChannels: 16 });
  });

  it('dataset inspect --json gives the bundled MNIST split with class counts', () => {
    const r = ffr('dataset', 'inspect', '--dataset', 'mnist', '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    // The default validation share (10 % of the 8,000 training digits) is held out of train.
    expect(d).toMatchObject({ dataset: 'mnist', shape: [28, 28, 1], classes: 10, train: 7200, val: 800, test: 2000 });
    expect(d.train + d.val + d.test).toBe(10_000);
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    expect([sum(d.classCounts.train), sum(d.classCounts.val), sum(d.classCounts.test)]).toEqual([7200, 800, 2000]);
    const other = JSON.parse(ffr('dataset', 'inspect', '--dataset', 'mnist', '--val-fraction', '0.25', '--json').stdout);
    expect([other.train, other.val]).toEqual([6000, 2000]);
    const zero = ffr('dataset', 'inspect', '--dataset', 'mnist', '--val-fraction', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr.trim()).toBe('ffr: --val-fraction must be more than 0 (0 leaves the validation set empty), got 0.');
  });

  it('refuses a run whose image folder leaves the test set empty, before any row exists', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-three-'));
    writeImageFolderFixture(dir, { classes: ['a', 'b'], perClass: 3 });
    const before = rowCounts();
    const r = ffr('train', '--model', 'mlp', '--dataset', 'folder', '--data-dir', dir, '--epochs', '1', '--backend', 'cpu', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^ffr: Image folder .* leaves the test set empty .*; add images or give a test split\.$/);
    expect(rowCounts()).toEqual(before);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('train --json prints one JSON document and stores the run, its metrics and snapshots', () => {
    const r = ffr('train', '--model', 'mlp', ...tiny, '--epochs', '2', '--backend', 'cpu', '--lr', '0.05', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'completed', backend: 'cpu', epochs: 2 });
    expect(out.final.testAccuracy).toBeGreaterThan(0.5);
    expect(out.final.valAccuracy).toBeGreaterThan(0.5);
    expect(out.final.length).toBeGreaterThan(0);
    expect(out.layers.map((l: { name: string }) => l.name)).toEqual(['fc1', 'fc2']);
    expect(out.sparsity.structured).toBeGreaterThanOrEqual(0);
    ffrRun = out.runId;

    const db = new Database(path.join(home, 'ffr.sqlite'), { readonly: true });
    const metrics = db.prepare('SELECT epoch FROM metrics WHERE run_id = ? ORDER BY epoch').all(ffrRun);
    const snaps = db.prepare('SELECT count(*) AS n FROM layer_snapshots WHERE run_id = ?').get(ffrRun) as { n: number };
    const ckpts = db.prepare('SELECT path FROM checkpoints WHERE run_id = ?').all(ffrRun) as Array<{ path: string }>;
    db.close();
    expect(metrics).toEqual([{ epoch: 1 }, { epoch: 2 }]);
    expect(snaps.n).toBe(4);
    expect(ckpts).toHaveLength(2);
    // Stored relative to the data directory (docs/schema.md), so the folder can be moved.
    for (const c of ckpts) {
      expect(c.path).toMatch(new RegExp(`^runs/${ffrRun}/checkpoints/epoch-000[12]\\.ffrm$`));
      expect(fs.existsSync(path.join(home, c.path))).toBe(true);
    }
  });

  it('runs show, list and compare report what was stored', () => {
    const base = ffr('train', '--model', 'mlp', ...tiny, '--epochs', '1', '--backend', 'cpu', '--regularizer', 'none', '--json');
    expect(base.code, base.stderr).toBe(0);
    baseRun = JSON.parse(base.stdout).runId;

    const show = JSON.parse(ffr('runs', 'show', ffrRun, '--json').stdout);
    expect(show.run).toMatchObject({ id: ffrRun, status: 'completed' });
    expect(show.run.config.regularizer).toBe('ffr');
    expect(show.metrics).toHaveLength(2);
    expect(new Set(show.snapshots.map((s: { epoch: number }) => s.epoch))).toEqual(new Set([1, 2]));
    // 96 images in batches of 32 (the default batch is 64: 2 steps an epoch), every step recorded.
    expect(show.steps.length).toBeGreaterThan(0);
    expect(show.steps[0]).toMatchObject({ step: 1, epoch: 1 });
    for (const k of ['loss', 'crossEntropy', 'accuracy', 'ffrLength', 'ffrCurvature', 'regLoss', 'lr', 'stepMs', 'rssBytes', 'tensorBytes']) expect(typeof show.steps[0][k]).toBe('number');
    expect(show.steps.at(-1).epoch).toBe(2);
    expect(show.logs.map((l: { message: string }) => l.message)).toContain('Completed.');

    // runs export: CSV (one row per step, epoch metrics on each epoch's last step) and JSON.
    const out = path.join(home, 'exported');
    fs.mkdirSync(out);
    const csv = ffr('runs', 'export', ffrRun, '--format', 'csv', '--out', path.join(out, 'run.csv'), '--json');
    expect(csv.code, csv.stderr).toBe(0);
    expect(JSON.parse(csv.stdout)).toMatchObject({ runId: ffrRun, format: 'csv', rows: show.steps.length, epochs: 2 });
    const lines = fs.readFileSync(path.join(out, 'run.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^step,epoch,time,window_steps,loss,cross_entropy,accuracy,ffr_length,ffr_curvature,reg_loss,lr,step_ms,rss_bytes,tensor_bytes,epoch_train_loss,.*,epoch_test_accuracy,.*epoch_structured_sparsity$/);
    expect(lines).toHaveLength(show.steps.length + 1);
    const header = lines[0]!.split(',');
    const lastRow = lines.at(-1)!.split(',');
    expect(Number(lastRow[header.indexOf('epoch_test_accuracy')])).toBeCloseTo(show.metrics[1].testAccuracy, 10);
    expect(Number(lastRow[header.indexOf('loss')])).toBeCloseTo(show.steps.at(-1).loss, 10);
    const json = ffr('runs', 'export', ffrRun, '--format', 'json', '--out', path.join(out, 'run.json'));
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).steps).toEqual(show.steps);
    // An existing file is not replaced without --force; a missing folder is named.
    const again = ffr('runs', 'export', ffrRun, '--format', 'csv', '--out', path.join(out, 'run.csv'));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/run\.csv exists; pass --force to replace it\.\n$/);
    expect(ffr('runs', 'export', ffrRun, '--format', 'csv', '--out', path.join(out, 'run.csv'), '--force').code).toBe(0);
    const nowhere = ffr('runs', 'export', ffrRun, '--format', 'csv', '--out', '/nonexistent/dir/run.csv');
    expect(nowhere.stderr).toMatch(/The folder \/nonexistent\/dir for --out does not exist\./);
    expect(ffr('runs', 'export', ffrRun, '--format', 'xml', '--out', path.join(out, 'x')).stderr).toMatch(/--format must be one of csv, json; "xml" is not\./);

    const list = JSON.parse(ffr('runs', 'list', '--json').stdout);
    expect(list.runs.map((r: { id: string }) => r.id).sort()).toEqual([ffrRun, baseRun].sort());

    const cmp = JSON.parse(ffr('runs', 'compare', ffrRun, baseRun, '--json').stdout);
    expect(cmp.runs).toHaveLength(2);
    expect(cmp.configDiff.regularizer).toEqual(['ffr', 'none']);
    expect(cmp.configDiff.epochs).toEqual([2, 1]);
    // The none run has no weight to show: no `lambda` row for either run.
    expect(cmp.configDiff).not.toHaveProperty('lambda');
    expect(cmp.configDiff['ffr.lambdaLength']).toEqual([DEFAULT_FFR.lambdaLength, null]);

    // Without --json: what the help says — config and per-layer sparsity; compare per layer too.
    const text = ffr('runs', 'show', ffrRun);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/config:\n {2}model +mlp\n/);
    expect(text.stderr).toMatch(/per-layer sparsity at epoch 2 /);
    expect(text.stderr).toMatch(/\nfc1 +dense +\d+ +\d+\.\d%/);
    const cmpText = ffr('runs', 'compare', ffrRun, baseRun);
    expect(cmpText.code, cmpText.stderr).toBe(0);
    expect(cmpText.stderr).toMatch(new RegExp(`structured sparsity per layer, last epoch \\(channels in brackets\\):\\nlayer +${ffrRun} +${baseRun}`));
    expect(cmpText.stderr).toMatch(/\nfc2 +\d+\.\d% \(\d+\) +\d+\.\d% \(\d+\)/);
  });

  it.each([
    [['train', '--model', 'alexnet', ...tiny], /--model must be one of .*"alexnet" is not/],
    [['train', '--model', 'mlp', ...tiny, '--epochs', 'many'], /--epochs must be a number, got "many"/],
    [['train', '--model', 'mlp', ...tiny, '--lr', '-1'], /--lr must be at least/],
    [['train', '--model', 'mlp', '--dataset', 'cifar10'], /CIFAR-10 needs a data folder/],
    [['train', '--model', 'mlp', '--project', 'Brand new', '--dataset', 'cifar10', '--data-dir', '/nonexistent/cifar'], /\/nonexistent\/cifar does not exist/],
    [['train', '--model', 'mlp', '--project', 'Brand new', '--dataset', 'folder', '--data-dir', '/nonexistent/images'], /Image folder \/nonexistent\/images does not exist/],
    [['train', '--model', 'lenet5', ...tiny, '--image-shape', '4x4x1'], /Model lenet5 cannot run on synthetic images of 4×4×1/],
    [['train', '--model', 'mlp', ...tiny, '--regularizer', 'none', '--lambda', '0.1'], /--lambda applies to l1, group-lasso, slimming only/],
    [['train', '--model', 'mlp', ...tiny, '--regularizer', 'l1', '--norm', 'l2'], /--norm applies to --regularizer ffr only, not l1/],
    [['train', '--model', 'mlp', ...tiny, '--regularizer', 'l1', '--group-lasso-group', 'filter'], /--group-lasso-group applies to --regularizer group-lasso only, not l1/],
    [['train', '--model', 'mlp', ...tiny, '--align', 'stage'], /^ffr: FFR alignment "stage" compares only consecutive taps of equal shape, and mlp has none/],
    [['train', '--model', 'mlp', ...tiny, '--align', 'shortcut'], /FFR alignment "shortcut" compares only taps joined by an identity shortcut/],
    [['train', '--model', 'mlp', ...tiny, '--lambda-length', '0'], /^ffr: FFR with λ_len = 0 and λ_curv = 0 adds nothing/],
    [['runs', 'show', 'run-nope00'], /Unknown run "run-nope00"/],
    [['runs', 'resume', 'run-nope00'], /Unknown run "run-nope00"/],
  ])('refuses %j with one clear sentence and leaves no row behind', (args, message) => {
    const before = rowCounts();
    const r = ffr(...(args as string[]));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(message);
    expect(lines[lines.length - 1]).toMatch(/^ffr: .*[.]$/);
    expect(rowCounts()).toEqual(before);
  });

  it('refuses to resume a completed run', () => {
    const r = ffr('runs', 'resume', ffrRun);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is completed; only a run that is interrupted, cancelled or failed can be resumed/);
  });
});
