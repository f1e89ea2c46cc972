/**
 * The New-run form's model, without Vue: its starting values (the host's `runs.defaults`), how a
 * choice moves the settings that follow it, and the config it submits. The rules are the shared
 * ones (src-main/shared/run-config.ts), so an untouched form and `ffr train` with no optional flag
 * submit the same config (tests/defaults-cli-vs-ui.test.ts checks it).
 */
import type { DatasetEntry } from '../../../src-main/shared/contract';
import {
  DEFAULT_BASELINE_LAMBDA,
  DEFAULT_FFR,
  DEFAULT_GROUP_LASSO_GROUP,
  defaultAugment,
  defaultLearningRate,
  isBaselineRegularizer,
  type FfrOptions,
  type GroupLassoGroup,
  type ModelName,
  type RegularizerName,
  type RunConfig,
} from '../../../src-main/shared/run-config';

type Common = Omit<Extract<RunConfig, { regularizer: 'none' }>, 'regularizer'>;

/**
 * What the form edits: every setting of every regularizer, so switching the regularizer back and
 * forth keeps what was typed; only the chosen regularizer's weights are submitted.
 */
export interface RunForm extends Common {
  regularizer: RegularizerName;
  ffr: FfrOptions;
  lambda: number;
  groupLassoGroup: GroupLassoGroup;
}

/** The form's values for a config: the defaults, or a run being duplicated. */
export function formFromConfig(config: RunConfig): RunForm {
  return {
    ...config,
    ffr: config.regularizer === 'ffr' ? { ...config.ffr } : { ...DEFAULT_FFR },
    lambda: 'lambda' in config ? config.lambda : DEFAULT_BASELINE_LAMBDA.l1,
    groupLassoGroup: config.regularizer === 'group-lasso' ? config.groupLassoGroup : DEFAULT_GROUP_LASSO_GROUP,
  };
}

/** A new model: the learning rate that trains it stably (BN vs no BN). */
export function setModel(form: RunForm, model: ModelName): void {
  form.model = model;
  form.lr = defaultLearningRate(model);
}

/** A new regularizer: a baseline starts from the weight that shows its effect. */
export function setRegularizer(form: RunForm, regularizer: RegularizerName): void {
  form.regularizer = regularizer;
  if (isBaselineRegularizer(regularizer)) form.lambda = DEFAULT_BASELINE_LAMBDA[regularizer];
}

/** A dataset picked from the list: its ref becomes config.dataset; augmentation follows it. */
export function selectDataset(form: RunForm, entry: DatasetEntry): void {
  form.dataset = { ...entry.ref, ...(entry.ref.shape ? { shape: [...entry.ref.shape] } : {}) };
  form.augment = defaultAugment(entry.ref.name);
}

/** Empty number inputs become undefined (optional limits) instead of 0 or ''. */
function optionalInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The config the form submits: the common settings and the chosen regularizer's settings only. */
export function submittedConfig(form: RunForm): Record<string, unknown> {
  const { ffr, lambda, groupLassoGroup, trainLimit, testLimit, ...common } = form;
  const weights =
    form.regularizer === 'ffr'
      ? { ffr }
      : form.regularizer === 'group-lasso'
        ? { lambda, groupLassoGroup }
        : isBaselineRegularizer(form.regularizer)
          ? { lambda }
          : {};
  // Through JSON: drops undefined fields and detaches the submission from the reactive form.
  return JSON.parse(JSON.stringify({ ...common, trainLimit: optionalInt(trainLimit), testLimit: optionalInt(testLimit), ...weights })) as Record<string, unknown>;
}

/** Where the run executes, as the launcher submits it: Slurm settings only when filled in. */
export function submittedExecution(choice: {
  executor: 'local' | 'slurm';
  slurm: Record<string, string | number | ''>;
}): { executor: 'local' | 'slurm'; slurm?: Record<string, string | number> } {
  if (choice.executor === 'local') return { executor: 'local' };
  const slurm = Object.fromEntries(Object.entries(choice.slurm).filter(([, v]) => v !== '' && v !== undefined)) as Record<string, string | number>;
  return { executor: 'slurm', ...(Object.keys(slurm).length > 0 ? { slurm } : {}) };
}
