/**
 * The text that `ffr runs show` and `ffr runs compare` print without --json: what their help says
 * (config, status, per-epoch metrics, per-layer sparsity; runs side by side with per-layer
 * sparsity and config differences). Pure functions of the service results, so they are tested
 * without a process.
 */
import type { CompareResult, RunSummary } from '../../shared/contract';
import type { EpochMetrics } from '../../shared/metrics';
import { flattenConfig } from '../../shared/run-config';
import { headlineMeasure, summarizeSparsity } from '../../shared/sparsity';
import type { Run, SnapshotRow } from '../../shared/store-types';
import { formatCount, formatPercent, table } from '../output';

const num = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? '–' : Number(v.toPrecision(digits)).toString());
const degrees = (rad: number | null): string => (rad === null ? '–' : `${((rad * 180) / Math.PI).toFixed(1)}°`);

/** A config value as one cell: numbers as written, objects as JSON. */
function cell(v: unknown): string {
  if (v === undefined || v === null) return '–';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export interface RunShowInput {
  run: Run;
  metrics: EpochMetrics[];
  /** The snapshots of the last recorded epoch (every layer). */
  lastSnapshots: SnapshotRow[];
  summary: RunSummary;
}

export function formatRunShow({ run, metrics, lastSnapshots, summary }: RunShowInput): string {
  const out: string[] = [];
  out.push(`${run.id} "${run.name}" ${run.status}${run.error ? `: ${run.error}` : ''}`);
  out.push(
    `${run.kind === 'finetune' ? `fine-tune of ${run.parentRunId} · ` : ''}backend ${run.backend ?? run.config.backend} · ${run.epochsDone}/${run.config.epochs} epochs` +
      (run.modelInfo ? ` · ${formatCount(run.modelInfo.params)} params · ${formatCount(run.modelInfo.macs)} MACs` : ''),
  );
  if (summary.collapse) out.push(summary.collapse.message);
  if (run.tags.length > 0) out.push(`tags: ${run.tags.join(', ')}`);

  out.push('', 'config:');
  const flat = flattenConfig(run.config);
  const width = Math.max(...Object.keys(flat).map((k) => k.length));
  for (const [k, v] of Object.entries(flat)) out.push(`  ${k.padEnd(width)}  ${cell(v)}`);

  out.push('', 'epochs (train loss = cross-entropy + weighted regularizer):');
  if (metrics.length === 0) out.push('  none recorded');
  else
    out.push(
      table(
        ['epoch', 'train loss', 'train CE', 'val acc', 'test loss', 'test acc', 'length', 'curvature', 'lr', 's'],
        metrics.map((m) => [
          String(m.epoch),
          num(m.trainLoss),
          num(m.trainCrossEntropy),
          formatPercent(m.valAccuracy, 2),
          num(m.testLoss),
          formatPercent(m.testAccuracy, 2),
          num(m.ffrLength),
          num(m.ffrCurvature),
          m.lr.toPrecision(3),
          m.seconds.toFixed(1),
        ]),
      ),
    );
  if (summary.best && summary.final && summary.best.epoch !== metrics.at(-1)?.epoch) {
    out.push(`best test accuracy ${formatPercent(summary.best.testAccuracy, 2)} at epoch ${summary.best.epoch}; final ${formatPercent(summary.final.testAccuracy, 2)}`);
  }

  const epoch = lastSnapshots[0]?.epoch;
  if (epoch !== undefined) {
    const measure = headlineMeasure(lastSnapshots);
    out.push('', `per-layer sparsity at epoch ${epoch} (structured: share of channels with relative ${measure} ≤ ${run.config.sparsityThreshold}):`);
    out.push(
      table(
        ['layer', 'kind', 'channels', `structured (${measure})`, 'by |γ|', 'by filter norm', 'unstructured', 'segment length', 'turning angle'],
        lastSnapshots.map((s) => [
          s.layer,
          s.kind,
          String(s.channels),
          formatPercent(s.structuredSparsity),
          s.gammaSparsity === null ? '–' : formatPercent(s.gammaSparsity),
          formatPercent(s.normSparsity),
          formatPercent(s.unstructuredSparsity),
          num(s.segmentLength),
          degrees(s.turningAngle),
        ]),
      ),
    );
    const all = summarizeSparsity(lastSnapshots);
    out.push(`all layers: structured ${formatPercent(all?.structured)} of channels, unstructured ${formatPercent(all?.unstructured)} of weights`);
  }
  return out.join('\n');
}

export function formatCompare(c: CompareResult): string {
  const out: string[] = [];
  out.push(
    table(
      ['run', 'name', 'regularizer', 'epochs', 'val acc', 'test acc', 'best acc', 'train loss', 'train CE', 'structured', 'params', 'MACs'],
      c.runs.map((r, i) => [
        r.runId,
        r.name,
        cell(c.configs[i]?.['regularizer']),
        String(r.epochs),
        formatPercent(r.final?.valAccuracy, 2),
        formatPercent(r.final?.testAccuracy, 2),
        formatPercent(r.best?.testAccuracy, 2),
        num(r.final?.trainLoss),
        num(r.final?.trainCrossEntropy),
        formatPercent(r.sparsity?.structured),
        formatCount(r.params),
        formatCount(r.macs),
      ]),
    ),
  );
  for (const r of c.runs) if (r.collapse) out.push(`${r.runId}: ${r.collapse.message}`);

  // Layers in the first run's order, then any the others add (a pruned model keeps the names).
  const layers: string[] = [];
  for (const r of c.runs) for (const l of r.layers) if (!layers.includes(l.name)) layers.push(l.name);
  if (layers.length > 0) {
    out.push('', 'structured sparsity per layer, last epoch (channels in brackets):');
    out.push(
      table(
        ['layer', ...c.runs.map((r) => r.runId)],
        layers.map((name) => [
          name,
          ...c.runs.map((r) => {
            const l = r.layers.find((x) => x.name === name);
            return l ? `${formatPercent(l.structuredSparsity)} (${l.filters})` : '–';
          }),
        ]),
      ),
    );
  }

  out.push('', 'config differences:');
  const diff = Object.entries(c.configDiff);
  if (diff.length === 0) out.push('  none');
  for (const [k, v] of diff) out.push(`  ${k}: ${v.map(cell).join(' | ')}`);
  return out.join('\n');
}
