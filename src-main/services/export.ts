/**
 * Exports, host side. The target is a run (its last checkpoint) or a prune (its fine-tuned model
 * when the fine-tune run completed, else the pruned model). The output folder is checked first
 * (export-target.ts: never the data directory, `/` or the home folder; `force` replaces only a
 * previous export). The trainer writes the format into a temporary sibling folder and verifies it;
 * an export that does not verify is refused. The host adds report.json, then swaps the folder into
 * place and writes the exports row. A failure at any step removes the temporary folder, so the
 * output folder holds the complete new export or is as it was (a previous export included).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExportView } from '../shared/contract';
import type { ExportReport } from '../shared/prune-types';
import type { ExportFormat } from '../shared/store-types';
import type { Store } from '../store';
import { NotFoundError, UserInputError } from './errors';
import { checkExportTarget, EXPORT_REPORT_FILE, type ExportTarget } from './export-target';
import type { HomePaths } from './home';
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
  private readonly verifyTolerance: number;

  constructor(
    private readonly store: Store,
    private readonly tools: ToolRunner,
    private readonly prunes: PruneService,
    private readonly paths: Pick<HomePaths, 'home' | 'exportsDir'>,
    options: { verifyTolerance?: number } = {},
  ) {
    this.verifyTolerance = options.verifyTolerance ?? VERIFY_TOLERANCE;
  }

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
    const force = req.force ?? false;
    // Refused here, before a trainer starts: the data directory, /, the home folder, and a folder
    // that is not a previous export (export-target.ts).
    const outDir = checkExportTarget(req.outDir, this.paths, force).dir;
    const config = this.store.runs.require(target.configRunId).config;
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    const sibling = (what: string): string => `${outDir}.${what}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    const tmp = sibling('tmp');
    fs.mkdirSync(tmp);
    try {
      const r = await this.tools.run({ kind: 'export', payload: { config, modelPath: target.modelPath, format: req.format, dir: tmp, samples: req.samples ?? 8 } }, onLog);
      // An export that does not reproduce the workbench's outputs is not an export: nothing is
      // placed or recorded (a previous export in the folder stays), the sentence says by how much.
      if (!(r.maxAbsDiff <= this.verifyTolerance)) {
        throw new UserInputError(
          `The ${req.format} export of ${req.target} failed verification: reloaded, it differs from the workbench by up to ${r.maxAbsDiff.toExponential(2)} on ${r.verifiedOn} (at most ${this.verifyTolerance.toExponential(0)} allowed); ${outDir} was left as it was.`,
        );
      }
      const files = [...r.files, EXPORT_REPORT_FILE];
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
        verified: true,
        maxAbsDiff: r.maxAbsDiff,
        verifiedOn: r.verifiedOn,
        files,
        createdAt: new Date().toISOString(),
      };
      fs.writeFileSync(path.join(tmp, EXPORT_REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
      // Checked again: the folder may have changed while the trainer worked.
      const now = checkExportTarget(outDir, this.paths, force);
      const record = this.swapInto(tmp, now, sibling('old'), () =>
        this.store.transaction(() => {
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
        }),
        onLog,
      );
      return { exportId: record.id, format: req.format, dir: outDir, files, params: r.params, macs: r.macs, verified: report.verified, maxAbsDiff: r.maxAbsDiff, report };
    } finally {
      // Gone after a success (renamed into place) and removed after any failure.
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Puts the finished folder `tmp` at `target.dir` and records it. A previous export there is moved
   * aside first and removed only once the new one is recorded; if anything fails it is put back, so
   * the folder holds either the old export or the new one, never a mix or nothing.
   */
  private swapInto<T>(tmp: string, target: ExportTarget, aside: string, record: () => T, onLog?: (m: string) => void): T {
    const { dir } = target;
    if (target.replaces) fs.renameSync(dir, aside);
    else if (fs.existsSync(dir)) fs.rmdirSync(dir); // empty (checked); rmdir refuses anything else
    let result: T;
    try {
      fs.renameSync(tmp, dir);
      try {
        result = record();
      } catch (e) {
        fs.renameSync(dir, tmp); // export() removes tmp
        throw e;
      }
    } catch (e) {
      if (target.replaces) fs.renameSync(aside, dir);
      throw e;
    }
    if (target.replaces) {
      try {
        fs.rmSync(aside, { recursive: true, force: true });
      } catch (e) {
        onLog?.(`The new export is in place, but the previous one could not be removed from ${aside}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return result;
  }
}
