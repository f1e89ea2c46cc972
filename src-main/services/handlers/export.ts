/** export.* methods. */
import fs from 'node:fs';
import path from 'node:path';
import { ForbiddenError, NotFoundError } from '../errors';
import { exportRecord } from '../export-files';
import type { DomainHandlers, HandlerContext } from './types';

export function exportHandlers({ app, toolLog, openFolder }: HandlerContext): DomainHandlers<'export'> {
  const { store } = app;
  return {
    'export.run': ({ target, format, outDir, force, samples }) => {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const dir = outDir ? path.resolve(outDir) : path.join(app.paths.exportsDir, `${target}-${format}-${stamp}`);
      const sourceRun = store.prunes.get(target)?.sourceRunId ?? target;
      return app.exports.export(
        { target, format, outDir: dir, ...(force !== undefined ? { force } : {}), ...(samples !== undefined ? { samples } : {}) },
        toolLog(sourceRun),
      );
    },
    'export.list': ({ runId, pruneId }) => {
      if (runId !== undefined) {
        store.runs.require(runId);
        return store.exports.listBySource(runId);
      }
      return store.exports.listByPrune(store.prunes.require(pruneId!).id);
    },
    'export.open': async ({ exportId }) => {
      const record = exportRecord(store, exportId);
      if (!openFolder) throw new ForbiddenError('Opening a folder works in the desktop app; in the browser, download the files or copy the path.');
      if (!fs.existsSync(record.dir)) throw new NotFoundError(`The folder ${record.dir} of export ${exportId} is gone.`);
      await openFolder(record.dir);
      return { exportId, dir: record.dir };
    },
  };
}
