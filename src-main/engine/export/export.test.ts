import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelSpec, type BuildOptions } from '../../catalog/models/builders';
import type { ModelName } from '../../shared/run-config';
import { Rng } from '../rng';
import { tf } from '../tf';
import { planPrune } from '../prune/plan';
import { channelImportance } from '../prune/importance';
import { randomWeights } from '../prune/testing';
import { writeAndVerify } from './index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-export-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cases: Array<[string, ModelName, Partial<BuildOptions>, boolean]> = [
  ['mlp', 'mlp', { inputShape: [8, 8, 1], width: 0.1 }, false],
  ['lenet5', 'lenet5', { inputShape: [28, 28, 1], width: 0.5 }, false],
  ['vgg11', 'vgg11', { width: 0.125 }, false],
  ['resnet20 A', 'resnet20', { width: 0.25, inputShape: [16, 16, 3] }, false],
  ['resnet20 A, pruned (non-contiguous shortcut placement)', 'resnet20', { width: 0.5, inputShape: [16, 16, 3] }, true],
  ['resnet20 B, pruned', 'resnet20', { width: 0.25, shortcut: 'B', inputShape: [16, 16, 3] }, true],
];

describe('exports reload and match our forward pass', () => {
  for (const [label, arch, o, prune] of cases) {
    for (const format of ['tfjs', 'onnx'] as const) {
      it(`${format}: ${label}`, async () => {
        let spec = buildModelSpec(arch, { inputShape: [32, 32, 3], classes: 10, width: 0.125, shortcut: 'A', ...o });
        let weights = randomWeights(spec, 5);
        if (prune) {
          const plan = planPrune(spec, weights, await channelImportance(spec, weights, 'l1'), { criterion: 'l1', scope: 'layer', ratio: 0.4, minChannels: 1, aggregate: 'max' });
          ({ spec, weights } = plan.result);
        }
        const dir = fs.mkdtempSync(path.join(tmp, `${format}-`));
        const rng = new Rng(3);
        const n = 3;
        const x = Float32Array.from({ length: n * spec.inputShape.reduce((a, b) => a * b, 1) }, () => rng.normal());
        const written = await writeAndVerify(format, spec, weights, dir, { x, n });
        expect(written.files.every((f) => fs.existsSync(path.join(dir, f)))).toBe(true);
        expect(written.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      });
    }
  }
});
