/**
 * Root writes anywhere, so a test that needs a read-only data folder runs its check as user nobody
 * (uid 65534) when the suite runs as root. That child must reach the checkout (its code, tsx) and
 * the temp folder: a clone below a 0700 folder (what `mktemp -d` makes) hides them from nobody.
 */
import { spawnSync } from 'node:child_process';

export const NOBODY = { uid: 65534, gid: 65534 } as const;

/** Why the read-only check cannot run here, or null when it can (not root, or nobody reaches `dirs`). */
export function readOnlyCheckUnavailable(dirs: string[]): string | null {
  if (process.getuid?.() !== 0) return null;
  const probe = `for (const d of ${JSON.stringify(dirs)}) require('node:fs').accessSync(d, require('node:fs').constants.R_OK | require('node:fs').constants.X_OK);`;
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: '/', ...NOBODY, encoding: 'utf8' });
  return r.status === 0 ? null : `running as root in a checkout user nobody cannot reach (${dirs.join(', ')})`;
}
