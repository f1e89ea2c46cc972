/**
 * The FFR terms and their gradients on the wasm backend (what training runs on here) against tfjs's
 * reference cpu backend, for every alignment. The other FFR tests run on cpu only; this one caught
 * the wasm OneHot kernel writing int32 bits into a float output (rank-pad's permutation was all zeros).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { FFR_ALIGNS } from '../../shared/run-config';
import { compareBackends, initWasm, seeded } from '../backend/wasm/test_util';
import { tf } from '../tf';
import { ffrTerms } from './ffr';
import type { FlowSegment } from '../../catalog/models/flow-plan';

beforeAll(async () => {
  await initWasm();
});

/** Taps of a small trajectory: a pool-and-pad step, an equal-shape step, a step to a dense tap. */
const shapes = [
  [4, 8, 8, 3],
  [4, 4, 4, 5],
  [4, 4, 4, 5],
  [4, 6],
];

describe('FFR terms on wasm equal the cpu reference', () => {
  for (const align of FFR_ALIGNS) {
    it(`${align}: length, curvature and the gradient wrt every tap`, async () => {
      // Every tap must take part (tfjs refuses a gradient wrt an unused input): `stage` counts only
      // the equal-shape pair, and `shortcut` (no model here) gets an identity and a placement segment.
      const used = align === 'stage' ? [1, 2] : align === 'shortcut' ? [1, 2, 3] : [0, 1, 2, 3];
      const segments: FlowSegment[] | undefined =
        align === 'shortcut'
          ? [
              { from: 0, to: 1, link: { kind: 'identity' } },
              { from: 1, to: 2, link: { kind: 'placement', placement: [0, 2, 1, 3, 4], channels: 6 } },
            ]
          : undefined;
      await compareBackends(() => {
        const xs = used.map((i) => {
          const t = tf.tensor(seeded(shapes[i]!, 31 + i), shapes[i]!);
          // A placement segment joins images: the dense tap as a 1×1 image.
          return align === 'shortcut' && i === 3 ? tf.reshape(t, [4, 1, 1, 6]) : t;
        });
        const f = (...t: Tensor[]) => {
          const r = ffrTerms(t, { align, norm: 'channel', curvature: 'angle' }, segments);
          return tf.add(r.length, tf.mul(r.curvature, 0.5)) as tf.Scalar;
        };
        const { value, grads } = tf.valueAndGrads(f)(xs);
        return [value, ...grads];
      });
    });
  }
});
