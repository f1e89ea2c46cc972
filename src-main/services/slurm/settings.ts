/**
 * The Slurm executor's settings: defaults stored in the data directory's database (`settings`
 * table, key `slurm`; `ffr slurm settings`, the Settings view), merged with what a run asks for
 * (`--slurm-*` flags, the New-run form). A field given for the run wins; an empty string given for
 * the run clears the default (e.g. `--slurm-partition ''`).
 */
import path from 'node:path';
import { SlurmDefaults, SlurmSettings } from '../../shared/executor';
import type { Store } from '../../store';
import { UserInputError } from '../errors';
import type { HomePaths } from '../home';
import { defaultTrainerCommand, type SlurmLaunch } from './launcher';
import { SlurmArgsError, splitSlurmArgs } from './script';

export const SLURM_SETTINGS_KEY = 'slurm';

export function slurmDefaults(store: Store): SlurmDefaults {
  return store.settings.get(SLURM_SETTINGS_KEY, SlurmDefaults) ?? {};
}

/** Checks settings (schema, then --slurm-args' words) and refuses with one sentence naming the field. */
export function checkSlurmSettings<S extends typeof SlurmSettings | typeof SlurmDefaults>(schema: S, input: unknown): ReturnType<S['parse']> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'slurm';
    throw new UserInputError(`Slurm setting ${field}: ${issue.message.replace(/\.$/, '')}.`, { field: `slurm.${field}` });
  }
  try {
    splitSlurmArgs((parsed.data as SlurmSettings).args);
  } catch (e) {
    if (e instanceof SlurmArgsError) throw new UserInputError(e.message, { field: 'slurm.args' });
    throw e;
  }
  return parsed.data as ReturnType<S['parse']>;
}

export function saveSlurmDefaults(store: Store, input: unknown): SlurmDefaults {
  const value = checkSlurmSettings(SlurmDefaults, input);
  return store.settings.set(SLURM_SETTINGS_KEY, SlurmDefaults, value);
}

/** Drops empty strings (an explicit "no value"). */
function present<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

/** `base` with `over` on top; a field set to '' in `over` removes it. */
export function mergeSlurmSettings(base: SlurmSettings, over: Partial<Record<keyof SlurmSettings, unknown>> = {}): SlurmSettings {
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (v === '') delete merged[k];
    else merged[k] = v;
  }
  return checkSlurmSettings(SlurmSettings, present(merged));
}

/** What a submission needs besides the run: its settings, the job root and the trainer command. */
export function slurmLaunchFor(store: Store, paths: HomePaths, settings: SlurmSettings): Omit<SlurmLaunch, 'runId' | 'owner'> {
  const defaults = slurmDefaults(store);
  return {
    settings,
    jobRoot: defaults.jobRoot ?? path.join(paths.home, 'slurm-jobs'),
    trainer: defaultTrainerCommand(defaults.node),
  };
}

/** The job settings part of the stored defaults. */
export function jobSettingsOf(d: SlurmDefaults): SlurmSettings {
  const { jobRoot: _root, node: _node, ...job } = d;
  return job;
}

/**
 * Settings as a request that reproduces them exactly over any base: every field it leaves out is
 * cleared (''), so defaults changed since (or a previous attempt's extras) do not creep in.
 */
export function exactSlurmRequest(settings: SlurmSettings): Record<keyof SlurmSettings, unknown> {
  const keys = Object.keys(SlurmSettings.shape) as Array<keyof SlurmSettings>;
  return Object.fromEntries(keys.map((k) => [k, settings[k] ?? ''])) as Record<keyof SlurmSettings, unknown>;
}
