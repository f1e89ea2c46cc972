/** runs.* methods. Created and resumed runs train in the background; the UI follows their events. */
import { ModelName, defaultRunConfig } from '../../shared/run-config';
import { UserInputError } from '../errors';
import type { DomainHandlers, HandlerContext } from './types';

export function runHandlers({ app, background }: HandlerContext): DomainHandlers<'runs'> {
  const { store, runs } = app;
  return {
    'runs.list': (filter) => runs.list(filter),
    'runs.get': ({ runId }) => runs.show(runId),
    'runs.snapshots': ({ runId, ...q }) => runs.snapshots(runId, q),
    'runs.steps': ({ runId, ...q }) => runs.steps(runId, q),
    'runs.logs': ({ runId, ...q }) => runs.logs(runId, q),
    'runs.summary': ({ runId }) => runs.summary(runId),
    'runs.summaries': ({ runIds }) => runIds.map((id) => runs.summary(id)),
    'runs.defaults': ({ model }) => {
      if (model === undefined) return defaultRunConfig();
      const m = ModelName.safeParse(model);
      if (!m.success) throw new UserInputError(`Unknown model "${model}"; choose one of ${ModelName.options.join(', ')}.`, { field: 'model' });
      return defaultRunConfig({ model: m.data });
    },
    'runs.validateConfig': ({ config }) => runs.check(config),
    'runs.create': async ({ projectId, name, config, executor, slurm }) => {
      const run = await runs.create({ ...(projectId !== undefined ? { projectId } : {}), ...(name ? { name } : {}), config, ...(executor ? { executor } : {}), ...(slurm ? { slurm } : {}) });
      background(runs.start(run.id));
      return runs.live(store.runs.require(run.id));
    },
    'runs.cancel': ({ runId }) => ({ runId, cancelled: runs.cancel(runId) }),
    'runs.resume': ({ runId, executor, slurm }) => {
      background(runs.resume(runId, { ...(executor ? { executor } : {}), ...(slurm ? { slurm } : {}) }));
      return runs.live(store.runs.require(runId));
    },
    'runs.duplicate': async ({ runId, name, config }) => {
      const source = store.runs.require(runId);
      if (source.kind === 'finetune') {
        throw new UserInputError(`Run ${runId} fine-tunes a pruned model; duplicate its source run or prune again instead.`);
      }
      const run = await runs.create({ projectId: source.projectId, name: name ?? `${source.name} (copy)`, config: config ?? {}, base: source.config });
      background(runs.start(run.id));
      return runs.live(store.runs.require(run.id));
    },
    'runs.delete': ({ runId }) => runs.delete(runId),
    'runs.rename': ({ runId, name }) => runs.live(store.runs.rename(runId, name)),
    'runs.setNotes': ({ runId, notes }) => runs.live(store.runs.setNotes(runId, notes)),
    'runs.setTags': ({ runId, tags }) => runs.live(store.runs.setTags(runId, tags)),
    'runs.compare': ({ runIds }) => runs.compare(runIds),
  };
}
