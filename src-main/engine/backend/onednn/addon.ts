/**
 * Loads the ffr_onednn Node-API addon (native/onednn) and says, when it cannot, exactly what is
 * missing and how to get it on this platform.
 *
 * The addon links Debian's libdnnl, which runs its parallel regions on OpenMP (libgomp). libgomp
 * reads its settings once, when it is loaded: OMP_WAIT_POLICY=passive is set here before the
 * addon (hence libgomp) loads, so idle worker threads sleep instead of spinning. Spinning workers
 * are what made two threads slower than one on a loaded machine (a descheduled thread stalls every
 * barrier while its partner burns the core it needs). A value already in the environment wins.
 *
 * Node-API is ABI-stable: the same build loads in Node and in Electron's utilityProcess.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The addon's exports (native/onednn/src/*.cc). Kernels take (HEAPU8, Float64Array of arguments). */
export interface OnednnAddon {
  info(): { version: string; runtime: string; isa: string; threads: number; cachedPrimitives: number };
  setThreads(n: number): number;
  clearCache(): void;
  convForward(heap: Uint8Array, args: Float64Array): void;
  convBackwardData(heap: Uint8Array, args: Float64Array): void;
  convBackwardWeights(heap: Uint8Array, args: Float64Array): void;
  batchNormForward(heap: Uint8Array, args: Float64Array): void;
  batchNormBackward(heap: Uint8Array, args: Float64Array): void;
  poolForward(heap: Uint8Array, args: Float64Array): void;
  poolBackward(heap: Uint8Array, args: Float64Array): void;
  matMul(heap: Uint8Array, args: Float64Array): void;
}

export const ADDON_RELATIVE_PATH = path.join('native', 'onednn', 'build', 'Release', 'ffr_onednn.node');
const STATUS_RELATIVE_PATH = path.join('native', 'onednn', 'build', 'status.json');

/** What the install-time build (native/onednn/build.mjs) recorded. */
interface BuildStatus {
  built: boolean;
  missing?: string[];
  error?: string;
}

/** The repository (or packaged app) folder holding native/onednn: the first ancestor that has it. */
function projectRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'native', 'onednn', 'binding.gyp'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** How to install what the addon needs, per platform (shown by `ffr info`). */
export function installHint(platform: NodeJS.Platform = process.platform): string {
  const rebuild = 'then `npm run build:onednn`';
  if (platform === 'darwin') return `install Xcode's command-line tools and oneDNN: \`xcode-select --install && brew install onednn\`, ${rebuild}`;
  if (platform === 'win32') {
    return (
      'install Visual Studio Build Tools (workload "Desktop development with C++") and oneDNN ' +
      '(`vcpkg install onednn:x64-windows`, or Intel\'s oneAPI oneDNN), set DNNL_ROOT to its folder and put its bin on PATH, ' +
      rebuild
    );
  }
  return `on Debian/Ubuntu: \`sudo apt-get install build-essential python3 libdnnl-dev\`, ${rebuild}`;
}

let loaded: { addon?: OnednnAddon; reason?: string } | undefined;

function readStatus(root: string): BuildStatus | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, STATUS_RELATIVE_PATH), 'utf8')) as BuildStatus;
  } catch {
    return undefined;
  }
}

/**
 * The addon, or why it is unavailable. FFR_ONEDNN_ADDON may name the .node file (packaged apps,
 * tests of the failure path). Loads once per process.
 */
export function loadOnednnAddon(): { addon?: OnednnAddon; reason?: string } {
  if (loaded) return loaded;
  const root = projectRoot();
  const file = process.env.FFR_ONEDNN_ADDON || (root ? path.join(root, ADDON_RELATIVE_PATH) : undefined);
  if (!file || !fs.existsSync(file)) {
    const status = root ? readStatus(root) : undefined;
    const why = status?.missing?.length
      ? `the oneDNN addon was not built: missing ${status.missing.join(' and ')}`
      : status?.error
        ? `the oneDNN addon did not build (${status.error})`
        : `the oneDNN addon is not built (no ${file ?? ADDON_RELATIVE_PATH})`;
    loaded = { reason: `${why}; ${installHint()}` };
    return loaded;
  }
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    loaded = { addon: require(file) as OnednnAddon };
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    const library = /libdnnl|dnnl\.dll|libdnnl\.\d\.dylib|libgomp/.test(message) ? 'the oneDNN runtime library is missing' : 'the oneDNN addon did not load';
    loaded = { reason: `${library} (${message}); ${installHint()}` };
  }
  return loaded;
}
