/**
 * Builds the renderer when out/renderer is missing or older than its sources, then starts one
 * `ffr serve` on a temporary FFR_HOME for the Chromium journeys. Its URL and token reach the tests
 * through the environment (workers inherit it); the returned function stops it.
 */
import { ensureRendererBuilt } from '../src-main/server/renderer-build';
import { defaultRendererDir } from '../src-main/server/static';
import { startServe } from './serve';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const built = ensureRendererBuilt(defaultRendererDir(), { log: (l) => process.stderr.write(`${l}\n`) });
  if (built.error) throw new Error(built.error);
  const served = await startServe();
  process.env.FFR_E2E_URL = served.url;
  process.env.FFR_E2E_ORIGIN = served.origin;
  process.env.FFR_E2E_TOKEN = served.token;
  process.env.FFR_E2E_HOME = served.home;
  return () => served.stop();
}
