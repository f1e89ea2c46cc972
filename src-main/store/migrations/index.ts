/**
 * Every migration, in order. Append only: a released migration is never edited or removed (a
 * database already at its version would never see the change); fix mistakes with a new one.
 */
import type { Migration } from '../migrate';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-foreign-key-indexes';
import { migration0003 } from './0003-run-host-pid';
import { migration0004 } from './0004-run-lock-start-model-relative-paths';
import { migration0006 } from './0006-validation-split';
import { migration0007 } from './0007-studies';
import { migration0008 } from './0008-run-steps-and-logs';
import { migration0010 } from './0010-slurm-executor';
import { migration0011 } from './0011-log-line-sources';

// 5 is reserved for a migration of another line of work; the ledger (migrate.ts) applies it when it arrives.
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0006,
  migration0007,
  migration0008,
  migration0010,
  migration0011,
];

export { APPLICATION_ID } from './0001-initial';
