/**
 * Shared by the oneDNN kernel tests: they run the wasm kernel tests' shape grids (backend/wasm/*_cases.ts)
 * on 'onednn' against tfjs's 'cpu' backend.
 *
 * Where the addon is not built, the tests are skipped and their title says why (the same reason
 * `ffr info` prints). Under CI (CI set) the addon must be built — .ci/run installs the compiler and
 * libdnnl-dev — so a missing addon fails there instead of skipping silently.
 */
import { describe, it } from 'vitest';

import { tf } from '../../tf';
import { initWasm, setBackendUnderTest } from '../wasm/test_util';
import { loadOnednnAddon } from './addon';
import { registerOnednnBackend } from './index';

export const onednnMissing: string | undefined = loadOnednnAddon().reason;

/** describe(), or a skipped describe naming the reason, or (CI) a failing test naming it. */
export function describeOnednn(name: string, body: () => void): void {
  if (!onednnMissing) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs the oneDNN addon, which CI builds', () => {
        throw new Error(`The oneDNN addon is not available under CI: ${onednnMissing}`);
      });
    });
  } else {
    describe.skip(`${name} — skipped: ${onednnMissing}`, body);
  }
}

/** The onednn backend (oneDNN on one thread: deterministic and cheap next to a parallel test run). */
export async function initOnednn(): Promise<void> {
  await initWasm();
  registerOnednnBackend(1);
  await tf.setBackend('onednn');
  setBackendUnderTest('onednn');
}
