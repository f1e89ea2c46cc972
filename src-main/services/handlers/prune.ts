/** prune.* methods: each runs a short tool job and answers when it is done. */
import type { DomainHandlers, HandlerContext } from './types';

export function pruneHandlers({ app, background, toolLog, emit }: HandlerContext): DomainHandlers<'prune'> {
  const { store, runs, prunes } = app;
  return {
    'prune.sweep': ({ runId, options }) => prunes.sweep(runId, options, toolLog(runId), (done, total) => emit('sweep-progress', { runId, done, total })),
    'prune.sweeps': ({ runId }) => prunes.sweeps(runId),
    'prune.run': async ({ runId, options }) => {
      const { prune, child } = await prunes.prune(runId, options, toolLog(runId));
      // The fine-tune is an ordinary queued run: it trains in the background like any other.
      if (child) background(runs.start(child.id));
      return { prune: prunes.view(prune.id), child: child ? runs.live(store.runs.require(child.id)) : null };
    },
    'prune.list': ({ runId }) => prunes.list(runId),
    'prune.get': ({ pruneId }) => prunes.view(pruneId),
  };
}
