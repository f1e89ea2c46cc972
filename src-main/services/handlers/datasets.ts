/** datasets.* methods. */
import type { DomainHandlers, HandlerContext } from './types';

export function datasetHandlers({ app }: HandlerContext): DomainHandlers<'datasets'> {
  const { datasets } = app;
  return {
    'datasets.list': ({ projectId }) => datasets.list(projectId),
    'datasets.register': (input) => datasets.register(input),
    'datasets.describe': ({ datasetId }) => datasets.describe(datasetId),
    'datasets.samples': ({ datasetId, ...request }) => datasets.samples(datasetId, request),
    'datasets.inspect': ({ datasetId, ...request }) => datasets.inspect(datasetId, request),
    'datasets.delete': ({ datasetId }) => datasets.delete(datasetId),
  };
}
