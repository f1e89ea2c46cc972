import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FFR_ALIGNS, type FfrAlign } from '../../shared/run-config';
import { buildModelSpec } from './builders';
import { inferShapes, type ModelSpec } from './spec';
import { flowPlan, zeroPenaltyReason } from './flow-plan';

const build = (model: 'mlp' | 'lenet5' | 'vgg11' | 'resnet20', shortcut: 'A' | 'B' = 'A') =>
  buildModelSpec(model, {
    inputShape: model === 'mlp' || model === 'lenet5' ? [28, 28, 1] : [32, 32, 3],
    classes: 10,
    width: model === 'vgg11' ? 0.125 : 1,
    shortcut,
  });

function reason(spec: ModelSpec, align: FfrAlign, lambdaLength = 0.5, lambdaCurvature = 0): string | null {
  const shapes = inferShapes(spec);
  return zeroPenaltyReason(
    spec.arch,
    spec.taps.map((name) => ({ name, shape: shapes.get(name)! })),
    flowPlan(spec, align),
    { align, lambdaLength, lambdaCurvature },
  );
}

describe('the FFR trajectory plan', () => {
  it('every alignment but shortcut compares each consecutive pair of taps', () => {
    const spec = build('lenet5');
    const plan = flowPlan(spec, 'rank-pad');
    expect(plan.taps).toEqual(['conv1.relu', 'conv2.relu', 'fc1.relu', 'fc2.relu']);
    expect(plan.segments.map((s) => [s.from, s.to, s.link.kind])).toEqual([[0, 1, 'align'], [1, 2, 'align'], [2, 3, 'align']]);
  });

  it('shortcut follows the residual stream: the stem, each block output, identity within a stage, placement across (option A)', () => {
    const plan = flowPlan(build('resnet20'), 'shortcut');
    expect(plan.taps).toEqual(['stem.relu', ...[1, 2, 3].flatMap((s) => [0, 1, 2].map((b) => `s${s}.b${b}.relu`))]);
    const kinds = plan.segments.map((s) => s.link.kind);
    expect(kinds).toEqual(['identity', 'identity', 'identity', 'placement', 'identity', 'identity', 'placement', 'identity', 'identity']);
    const across = plan.segments[3]!.link;
    // 16 channels into 32: the usual symmetric zero-padding puts them at 8..23.
    expect(across).toEqual({ kind: 'placement', placement: Array.from({ length: 16 }, (_, i) => i + 8), channels: 32 });
  });

  it('shortcut with option-B projections links only within a stage (a 1×1 conv is no identity)', () => {
    const plan = flowPlan(build('resnet20', 'B'), 'shortcut');
    expect(plan.segments.every((s) => s.link.kind === 'identity')).toBe(true);
    expect(plan.segments).toHaveLength(7); // stem→s1.b0, 2 within each of 3 stages
  });
});

describe('refusing FFR settings whose penalty is identically zero', () => {
  it('stage alignment on LeNet-5 and the MLP: no two consecutive taps share a shape', () => {
    expect(reason(build('lenet5'), 'stage')).toMatch(/^FFR alignment "stage" compares only consecutive taps of equal shape, and lenet5 has none \(taps: conv1\.relu 28×28×6, conv2\.relu 10×10×16, fc1\.relu 120, fc2\.relu 84\), so the penalty would be zero; choose another --align\.$/);
    expect(reason(build('mlp'), 'stage')).toMatch(/mlp has none/);
  });

  it('shortcut alignment on networks without shortcuts', () => {
    for (const m of ['mlp', 'lenet5', 'vgg11'] as const) expect(reason(build(m), 'shortcut'), m).toMatch(/joined by an identity shortcut.*choose another --align/);
  });

  it('a curvature-only penalty where no two compared segments meet', () => {
    // VGG-11 at this width: equal-shape pairs exist (so stage has segments), but never two in a row.
    const vgg = build('vgg11');
    expect(reason(vgg, 'stage', 0.5, 0)).toBeNull();
    expect(reason(vgg, 'stage', 0, 0.1)).toMatch(/curvature-only penalty would be zero; set --lambda-length above 0/);
  });

  it('both weights zero', () => {
    expect(reason(build('lenet5'), 'rank-pad', 0, 0)).toMatch(/λ_len = 0 and λ_curv = 0 adds nothing.*--regularizer none/);
  });

  it('accepts every combination that does add a term', () => {
    for (const align of FFR_ALIGNS.filter((a) => a !== 'stage' && a !== 'shortcut')) {
      for (const m of ['mlp', 'lenet5', 'vgg11', 'resnet20'] as const) expect(reason(build(m), align), `${m} ${align}`).toBeNull();
    }
    expect(reason(build('resnet20'), 'stage')).toBeNull();
    expect(reason(build('resnet20'), 'shortcut')).toBeNull();
    expect(reason(build('resnet20'), 'shortcut', 0, 0.1)).toBeNull();
  });
});

describe('flow-plan.ts stays free of tfjs (the host imports it to check configs)', () => {
  it('no module it imports, directly or not, is tfjs or the engine\'s tf wrapper', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = fs.readFileSync(file, 'utf8');
      // Type-only imports vanish at runtime; every other import is followed.
      for (const m of text.matchAll(/^import (?!type )[^;]*?from '([^']+)';/gms)) {
        const spec = m[1]!;
        expect(spec, `${path.basename(file)} imports ${spec}`).not.toMatch(/@tensorflow|\/tf$/);
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), `${spec}.ts`));
      }
    };
    visit(path.join(path.dirname(fileURLToPath(import.meta.url)), 'flow-plan.ts'));
    expect(seen.size).toBeGreaterThan(1);
  });
});
