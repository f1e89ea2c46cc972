/**
 * Exports, host side. The target is a run (its last checkpoint) or a prune (its fine-tuned model
 * when the fine-tune run completed, else the pruned model). The trainer writes the format into a
 * temporary sibling folder and verifies it; the host adds report.json, then renames the folder into
 * place and writes the exports row. A failure at any step removes the temporary folder, so the
 * output folder is either complete or untouched (with --force, replaced only at the very end).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExportView } from '../shared/contract';
import type { ExportReport } from '../shared/prune-types';
import type { ExportFormat, ExportRecord } from '../shared/store-types';
import type { Store } from '../store';
import { NotFoundError, UserInputError } from './errors';
import type { PruneService } from './prune';
import type { ToolRunner } from './tools';

/** Largest absolute logit difference accepted as "verified". */
export const VERIFY_TOLERANCE = 1e-4;

export interface ExportRequest {
  /** A run id or a prune id. */
  target: string;
  format: ExportFormat;
  outDir: string;
  force?: boolean;
  /** Test images the export is verified on (default 8). */
  samples?: number;
}

export class ExportService {
  constructor(
    private readonly store: Store,
    private readonly tools: ToolRunner,
    private readonly prunes: PruneService,
  ) {}

  /** Which model file a target id stands for. */
  private resolve(target: string): { runId: string | null; pruneId: string | null; sourceRunId: string; modelPath: string; configRunId: string; accuracy: number | null } {
    const prune = this.store.prunes.get(target);
    if (prune) {
      const view = this.prunes.view(prune.id);
      const child = prune.childRunId ? this.store.runs.get(prune.childRunId) : null;
      const childCheckpoint = child?.status === 'completed' ? this.store.checkpoints.latest(child.id) : null;
      if (childCheckpoint && fs.existsSync(childCheckpoint.path)) {
        return { runId: child!.id, pruneId: prune.id, sourceRunId: prune.sourceRunId, modelPath: childCheckpoint.path, configRunId: child!.id, accuracy: view.accuracy.finetuned };
      }
      if (!fs.existsSync(prune.modelPath)) throw new UserInputError(`The model file of prune ${prune.id} is missing (${prune.modelPath}).`);
      return { runId: null, pruneId: prune.id, sourceRunId: prune.sourceRunId, modelPath: prune.modelPath, configRunId: prune.sourceRunId, accuracy: view.accuracy.pruned };
    }
    if (!this.store.runs.get(target)) throw new NotFoundError(`There is no run or prune "${target}".`);
    const source = this.prunes.sourceOf(target);
    return {
      runId: target,
      pruneId: null,
      sourceRunId: source.run.parentRunId ?? target,
      modelPath: source.checkpoint,
      configRunId: target,
      accuracy: this.store.metrics.latest(target)?.testAccuracy ?? null,
    };
  }

  async export(req: ExportRequest, onLog?: (m: string) => void): Promise<ExportView> {
    const target = this.resolve(req.target);
    const outDir = path.resolve(req.outDir);
    if (fs.existsSync(outDir)) {
      if (!fs.statSync(outDir).isDirectory()) throw new UserInputError(`The output ${outDir} exists and is not a folder.`);
      if (fs.readdirSync(outDir).length > 0 && !req.force) {
        throw new UserInputError(`The output folder ${outDir} exists and is not empty; pass --force to replace it.`);
      }
    }
    const config = this.store.runs.require(target.configRunId).config;
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    const tmp = `${outDir}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    fs.mkdirSync(tmp);
    let replaced = false;
    try {
      const r = await this.tools.run({ kind: 'export', payload: { config, modelPath: target.modelPath, format: req.format, dir: tmp, samples: req.samples ?? 8 } }, onLog);
      const files = [...r.files, 'report.json'];
      const report: ExportReport = {
        format: req.format,
        arch: r.arch,
        inputShape: r.inputShape,
        layout: 'NHWC',
        classes: r.classes,
        widths: r.widths,
        params: r.params,
        macs: r.macs,
        accuracy: target.accuracy,
        sourceRunId: target.sourceRunId,
        pruneId: target.pruneId,
        verified: r.maxAbsDiff <= VERIFY_TOLERANCE,
        maxAbsDiff: r.maxAbsDiff,
        verifiedOn: r.verifiedOn,
        files,
        createdAt: new Date().toISOString(),
      };
      fs.writeFileSync(path.join(tmp, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
      if (fs.existsSync(outDir)) fs.rmSync(outDir, { recursive: true, force: true });
      fs.renameSync(tmp, outDir);
      replaced = true;
      const record: ExportRecord = this.store.transaction(() => {
        // A forced export replaced the folder: earlier rows describing that folder are stale.
        const earlier = [target.sourceRunId, target.runId].flatMap((id) => (id ? this.store.exports.listBySource(id) : []));
        for (const id of new Set(earlier.filter((e) => e.dir === outDir).map((e) => e.id))) this.store.exports.delete(id);
        return this.store.exports.create({
          runId: target.runId,
          pruneId: target.pruneId,
          format: req.format,
          dir: outDir,
          files,
          params: r.params,
          macs: r.macs,
          verified: report.verified,
          maxAbsDiff: r.maxAbsDiff,
          report,
        });
      });
      return { exportId: record.id, format: req.format, dir: outDir, files, params: r.params, macs: r.macs, verified: report.verified, maxAbsDiff: r.maxAbsDiff, report };
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (replaced) fs.rmSync(outDir, { recursive: true, force: true });
      throw e;
    }
  }
}
