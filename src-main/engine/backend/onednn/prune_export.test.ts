/**
 * The whole path on onednn through the real CLI, trainer processes and SQLite file: a tiny LeNet-5
 * trained with `--backend onednn` (recorded as such), pruned to a physically smaller model, and
 * exported to ONNX, verified by onnxruntime against the pruned model.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

import { describeOnednn } from './test_util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-onednn-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function ffr(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'ffr.js'), ...args], {
    cwd: root,
    env: { ...process.env, FFR_HOME: home },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeOnednn('a run trained on onednn', () => {
  it('is recorded as onednn, prunes to a smaller model and exports a verified ONNX file', () => {
    const tiny = ['--dataset', 'synthetic', '--image-shape', '28x28x1', '--classes', '3', '--train-size', '96', '--test-size', '48'];
    const train = ffr('train', '--model', 'lenet5', ...tiny, '--epochs', '1', '--backend', 'onednn', '--json');
    expect(train.code, train.stderr).toBe(0);
    const run = JSON.parse(train.stdout);
    expect(run).toMatchObject({ status: 'completed', backend: 'onednn' });
    expect(Number.isFinite(run.final.trainLoss)).toBe(true);

    const prune = ffr('prune', run.runId, '--ratio', '0.3', '--json');
    expect(prune.code, prune.stderr).toBe(0);
    const pruned = JSON.parse(prune.stdout);
    expect(pruned.params.after).toBeLessThan(pruned.params.before);

    // Below <FFR_HOME>/exports: any other folder inside the data directory is refused.
    const out = path.join(home, 'exports', 'onnx');
    const exp = ffr('export', pruned.pruneId, '--format', 'onnx', '--out', out, '--json');
    expect(exp.code, exp.stderr).toBe(0);
    const exported = JSON.parse(exp.stdout);
    expect(exported).toMatchObject({ format: 'onnx', verified: true, params: pruned.params.after });
    expect(exported.maxAbsDiff).toBeLessThan(1e-4);
    expect(fs.existsSync(path.join(out, 'model.onnx'))).toBe(true);
  });
});
