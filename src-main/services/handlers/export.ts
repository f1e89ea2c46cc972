/** export.* methods. */
import path from 'node:path';
import type { DomainHandlers, HandlerContext } from './types';

export function exportHandlers({ app, toolLog }: HandlerContext): DomainHandlers<'export'> {
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
  };
}
