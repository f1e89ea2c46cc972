/**
 * Which hidden features form the FFR trajectory and how each segment's two ends are brought into one
 * space, decided from the model graph alone. Deliberately free of tfjs: the host imports it to
 * refuse, before anything is trained, an FFR setting whose penalty would be identically zero for the
 * chosen model (`zeroPenaltyReason`), and the engine follows the same plan when it computes the terms.
 *
 * Segment links:
 * - `align`: the run's `align` rule decides (rank-pad, index-pad, gram, stage); see
 *   engine/regularizers/align.ts.
 * - `identity`: the two taps are joined by an identity shortcut, so channel c of one *is* channel c of
 *   the other (ResNet blocks within a stage, and the stem into the first block).
 * - `placement`: an option-A shortcut joins them: input channel i is output channel placement[i]; the
 *   other output channels receive zeros through the shortcut.
 * With `align: 'shortcut'` only identity and placement segments exist (the residual stream); with any
 * other rule every consecutive pair of `spec.taps` is one `align` segment.
 */
import type { FfrOptions } from '../../shared/run-config';
import { inferShapes, type FeatureShape, type ModelSpec } from './spec';

export type SegmentLink =
  | { kind: 'align' }
  | { kind: 'identity' }
  | { kind: 'placement'; placement: number[]; channels: number };

export interface FlowSegment {
  /** Indices into FlowPlan.taps. */
  from: number;
  to: number;
  link: SegmentLink;
}

export interface FlowPlan {
  /** The trajectory's taps, in order (node names). */
  taps: string[];
  segments: FlowSegment[];
}

/** The trajectory of `spec` under an alignment rule (see the file comment). */
export function flowPlan(spec: ModelSpec, align: FfrOptions['align']): FlowPlan {
  if (align !== 'shortcut') {
    return { taps: [...spec.taps], segments: spec.taps.slice(1).map((_, l) => ({ from: l, to: l + 1, link: { kind: 'align' } })) };
  }
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const isTap = new Set(spec.taps);
  const links: Array<{ from: string; to: string; link: SegmentLink }> = [];
  for (const tap of spec.taps) {
    const relu = byName.get(tap);
    const add = relu && relu.op === 'relu' ? byName.get(relu.input) : undefined;
    if (!add || add.op !== 'add') continue;
    for (const input of add.inputs) {
      if (isTap.has(input)) {
        links.push({ from: input, to: tap, link: { kind: 'identity' } });
        break;
      }
      const sc = byName.get(input);
      if (sc?.op === 'shortcutA' && isTap.has(sc.input)) {
        links.push({ from: sc.input, to: tap, link: { kind: 'placement', placement: [...sc.placement], channels: sc.channels } });
        break;
      }
    }
  }
  const taps = spec.taps.filter((t) => links.some((k) => k.from === t || k.to === t));
  const index = new Map(taps.map((t, i) => [t, i]));
  return { taps, segments: links.map((k) => ({ from: index.get(k.from)!, to: index.get(k.to)!, link: k.link })) };
}

const plans = new WeakMap<ModelSpec, Map<FfrOptions['align'], FlowPlan>>();

/** flowPlan, computed once per model and rule (the training step asks for it every step). */
export function cachedFlowPlan(spec: ModelSpec, align: FfrOptions['align']): FlowPlan {
  let byAlign = plans.get(spec);
  if (!byAlign) plans.set(spec, (byAlign = new Map()));
  let plan = byAlign.get(align);
  if (!plan) byAlign.set(align, (plan = flowPlan(spec, align)));
  return plan;
}

/** Output shapes of the plan's taps (without the batch axis). */
export function planTapShapes(spec: ModelSpec, plan: FlowPlan): FeatureShape[] {
  const shapes = inferShapes(spec);
  return plan.taps.map((t) => shapes.get(t)!);
}

/**
 * Whether a segment contributes at all: under `stage` alignment only equal-shape pairs are compared.
 * The same rule ffr.ts applies to the tensors.
 */
export function segmentCounts(link: SegmentLink, align: FfrOptions['align'], from: FeatureShape, to: FeatureShape): boolean {
  return !(link.kind === 'align' && align === 'stage' && from.join('x') !== to.join('x'));
}

/** Segments that contribute, and the turns between consecutive contributing segments (at a shared tap). */
export function countedTerms(plan: FlowPlan, shapes: FeatureShape[], align: FfrOptions['align']): { segments: number; turns: number } {
  const counted = plan.segments.filter((s) => segmentCounts(s.link, align, shapes[s.from]!, shapes[s.to]!));
  let turns = 0;
  for (let i = 1; i < counted.length; i++) {
    const prev = counted[i - 1]!;
    const next = counted[i]!;
    if (prev.to !== next.from) continue;
    // Under `stage` the two increments must have one shape too (they are the taps' shapes there).
    if (align === 'stage' && next.link.kind === 'align' && shapes[prev.to]!.join('x') !== shapes[next.to]!.join('x')) continue;
    turns += 1;
  }
  return { segments: counted.length, turns };
}

/**
 * One sentence saying why FFR with these options adds nothing to the loss of this model, or null when
 * it does add a term. Pure: tap names and shapes in, no tensors.
 */
export function zeroPenaltyReason(
  arch: string,
  taps: Array<{ name: string; shape: FeatureShape }>,
  plan: FlowPlan,
  ffr: Pick<FfrOptions, 'align' | 'lambdaLength' | 'lambdaCurvature'>,
): string | null {
  if (ffr.lambdaLength === 0 && ffr.lambdaCurvature === 0) {
    return 'FFR with λ_len = 0 and λ_curv = 0 adds nothing to the loss; set --lambda-length or --lambda-curvature above 0, or use --regularizer none.';
  }
  const shapes = plan.taps.map((t) => taps.find((x) => x.name === t)?.shape ?? []);
  const { segments, turns } = countedTerms(plan, shapes, ffr.align);
  if ((ffr.lambdaLength > 0 && segments > 0) || (ffr.lambdaCurvature > 0 && turns > 0)) return null;
  const listed = taps.map((t) => `${t.name} ${t.shape.join('×')}`).join(', ');
  if (segments === 0) {
    const why =
      ffr.align === 'stage'
        ? 'compares only consecutive taps of equal shape'
        : ffr.align === 'shortcut'
          ? 'compares only taps joined by an identity shortcut'
          : 'needs at least two taps';
    return `FFR alignment "${ffr.align}" ${why}, and ${arch} has none (taps: ${listed}), so the penalty would be zero; choose another --align.`;
  }
  return `FFR alignment "${ffr.align}" leaves no turn between two compared segments in ${arch} (taps: ${listed}), so a curvature-only penalty would be zero; set --lambda-length above 0 or choose another --align.`;
}
