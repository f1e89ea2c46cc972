/**
 * `ffr runs export RUN --format csv|json`: a run's history in a file. JSON is the whole record (as
 * `ffr runs show --json`); CSV is one wide table, one row per recorded step with the step scalars,
 * and the epoch's metrics on the row of its last step (as experiment trackers export a history).
 * Runs recorded before step scalars existed get one row per epoch.
 */
import type { EpochMetrics, StepScalars } from '../shared/metrics';
import { summarizeSparsity } from '../shared/sparsity';
import type { SnapshotRow } from '../shared/store-types';

const STEP_COLUMNS: Array<[string, (s: StepScalars) => number | string]> = [
  ['step', (s) => s.step],
  ['epoch', (s) => s.epoch],
  ['time', (s) => new Date(s.time).toISOString()],
  ['window_steps', (s) => s.window],
  ['loss', (s) => s.loss],
  ['cross_entropy', (s) => s.crossEntropy],
  ['accuracy', (s) => s.accuracy],
  ['ffr_length', (s) => s.ffrLength],
  ['ffr_curvature', (s) => s.ffrCurvature],
  ['reg_loss', (s) => s.regLoss],
  ['lr', (s) => s.lr],
  ['step_ms', (s) => s.stepMs],
  ['rss_bytes', (s) => s.rssBytes],
  ['tensor_bytes', (s) => s.tensorBytes],
];
const EPOCH_COLUMNS: Array<[string, (m: EpochMetrics) => number]> = [
  ['epoch_train_loss', (m) => m.trainLoss],
  ['epoch_train_cross_entropy', (m) => m.trainCrossEntropy],
  ['epoch_train_accuracy', (m) => m.trainAccuracy],
  ['epoch_test_loss', (m) => m.testLoss],
  ['epoch_test_accuracy', (m) => m.testAccuracy],
  ['epoch_ffr_length', (m) => m.ffrLength],
  ['epoch_ffr_curvature', (m) => m.ffrCurvature],
  ['epoch_reg_loss', (m) => m.regLoss],
  ['epoch_seconds', (m) => m.seconds],
];

function cell(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function runHistoryCsv(h: { metrics: EpochMetrics[]; steps: StepScalars[]; snapshots: SnapshotRow[] }): string {
  const sparsityByEpoch = new Map<number, number | null>();
  for (const e of new Set(h.snapshots.map((s) => s.epoch))) sparsityByEpoch.set(e, summarizeSparsity(h.snapshots.filter((s) => s.epoch === e))?.structured ?? null);
  const header = [...STEP_COLUMNS.map(([n]) => n), ...EPOCH_COLUMNS.map(([n]) => n), 'epoch_structured_sparsity'];
  const epochCells = (m: EpochMetrics | undefined): Array<number | null> =>
    m ? [...EPOCH_COLUMNS.map(([, f]) => f(m)), sparsityByEpoch.get(m.epoch) ?? null] : [...EPOCH_COLUMNS.map(() => null), null];
  const metricsByEpoch = new Map(h.metrics.map((m) => [m.epoch, m]));
  const lastStepOfEpoch = new Map<number, number>();
  for (const s of h.steps) lastStepOfEpoch.set(s.epoch, Math.max(lastStepOfEpoch.get(s.epoch) ?? 0, s.step));
  const lines = [header.join(',')];
  for (const s of h.steps) {
    const m = lastStepOfEpoch.get(s.epoch) === s.step ? metricsByEpoch.get(s.epoch) : undefined;
    lines.push([...STEP_COLUMNS.map(([, f]) => f(s)), ...epochCells(m)].map(cell).join(','));
  }
  // Epochs without step rows (recorded before steps were kept): one row each, epoch columns only.
  for (const m of h.metrics) {
    if (lastStepOfEpoch.has(m.epoch)) continue;
    lines.push([...STEP_COLUMNS.map(([n]) => (n === 'epoch' ? m.epoch : null)), ...epochCells(m)].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
