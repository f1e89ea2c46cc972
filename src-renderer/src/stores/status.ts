/** Run statuses shared by the stores (a module of its own so runs ⇄ runDetail need no import cycle). */
import type { Run } from '../../../src-main/shared/store-types';

/** A run in one of these is owned by the job manager: it cannot be resumed or deleted until it ends. */
export const ACTIVE_STATUSES: ReadonlyArray<Run['status']> = ['queued', 'running'];
