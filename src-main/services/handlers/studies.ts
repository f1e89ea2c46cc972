/** studies.* methods: a study is created (or resumed) at once and runs in the background. */
import { parseGrid, parsePruneRule } from '../../shared/study';
import { UserInputError } from '../errors';
import type { DomainHandlers, HandlerContext } from './types';

/** The grid and rule texts as the CLI reads them; a malformed one is the caller's input. */
function parsed<T>(parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (e) {
    // The parsers name the CLI flag; the API caller sent a field.
    throw new UserInputError((e as Error).message.replace(/^--regularizers/, 'The grid').replace(/^--prune/, 'The prune rule'));
  }
}

export function studyHandlers({ app, background }: HandlerContext): DomainHandlers<'studies'> {
  const { studies } = app;
  return {
    'studies.create': async (p) => {
      const study = await studies.create({
        ...(p.projectId !== undefined ? { projectId: p.projectId } : {}),
        ...(p.name ? { name: p.name } : {}),
        base: p.base,
        grid: parsed(parseGrid, p.grid),
        seeds: p.seeds,
        prune: parsed(parsePruneRule, p.prune),
        finetuneEpochs: p.finetuneEpochs,
        criterion: p.criterion ?? null,
        ...(p.executor ? { executor: p.executor } : {}),
        ...(p.slurm ? { slurm: p.slurm } : {}),
      });
      background(studies.run(study.id));
      return studies.report(study.id);
    },
    'studies.list': ({ projectId }) => studies.list(projectId === undefined ? {} : { projectId }),
    'studies.get': ({ studyId }) => studies.report(studyId),
    'studies.resume': ({ studyId, executor, slurm }) => {
      background(studies.resume(studyId, { ...(executor ? { executor } : {}), ...(slurm ? { slurm } : {}) }));
      return studies.report(studyId);
    },
    'studies.cancel': ({ studyId }) => ({ studyId, cancelled: studies.cancel(studyId) }),
    'studies.export': ({ studyId, format }) => ({ studyId, format, content: studies.export(studyId, format) }),
  };
}
