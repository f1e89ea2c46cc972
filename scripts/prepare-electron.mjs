// `npm start` (and `npm run prepare:electron`): gets what the desktop app needs before electron-vite
// starts it.
//
// 1. The Electron binary, the way its package gets it: Electron's own installer
//    (node_modules/electron/install.js, @electron/get; a no-op once installed). electron-vite only
//    reads node_modules/electron/path.txt and never triggers that download itself. ELECTRON_EXEC_PATH
//    (which electron-vite honours) points at an Electron elsewhere instead: the offline route.
// 2. better-sqlite3 built for Electron's ABI in resources/native/better_sqlite3.node (Electron main
//    hands it to better-sqlite3 through its `nativeBinding` option; node_modules keeps the Node
//    build for the CLI, `ffr serve` and the tests). The ABI is read from the binary
//    (scripts/native-abi.mjs) and compared with Electron's `abi_version`, and, when the Electron
//    binary is there, the module is loaded in Electron (ELECTRON_RUN_AS_NODE): a stamp file can say
//    "Electron 45" about a module that node-gyp built for Node 20. A wrong one is rebuilt: a prebuilt
//    binary (prebuild-install --runtime electron), else node-gyp against the Electron headers.
//
// Usage: node scripts/prepare-electron.mjs [--verify-only] [--skip-electron]
//   --verify-only    check the existing module and exit 1 with the reason if it is not for Electron
//   --skip-electron  only the SQLite module (no Electron download; no load check)
// FFR_ELECTRON_NATIVE_DIR overrides resources/native (tests).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { addonAbi } from './native-abi.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));
const verifyOnly = process.argv.includes('--verify-only');
const skipElectron = process.argv.includes('--skip-electron') || verifyOnly;

function say(message) {
  process.stderr.write(`prepare-electron: ${message}\n`);
}

const electronDir = path.dirname(requireFromRoot.resolve('electron/package.json'));
const electronVersion = requireFromRoot('electron/package.json').version;
const electronAbi = fs.readFileSync(path.join(electronDir, 'abi_version'), 'utf8').trim();
const sqliteVersion = requireFromRoot('better-sqlite3/package.json').version;
const outDir = path.resolve(process.env.FFR_ELECTRON_NATIVE_DIR ?? path.join(root, 'resources', 'native'));
const outFile = path.join(outDir, 'better_sqlite3.node');

const OFFLINE =
  `Offline: unpack electron-v${electronVersion}-${process.platform}-${process.arch}.zip (from the Electron releases on GitHub, fetched elsewhere) ` +
  'and set ELECTRON_EXEC_PATH to the electron executable inside it, then run npm start again.';

/** The runtime an ABI number belongs to, for messages. */
function abiName(abi) {
  if (abi === electronAbi) return `Electron ${electronVersion}'s ABI ${abi}`;
  if (abi === process.versions.modules) return `ABI ${abi}, Node.js ${process.version}'s`;
  if (abi === 'napi') return 'Node-API';
  return abi === null ? 'no Node ABI it names' : `ABI ${abi}`;
}

// --- 1. Electron itself -------------------------------------------------------------------------
let electronExec = process.env.ELECTRON_EXEC_PATH || null;
if (!skipElectron) {
  if (electronExec) {
    if (!fs.existsSync(electronExec)) {
      say(`ELECTRON_EXEC_PATH is ${electronExec}, which does not exist; point it at an unpacked Electron ${electronVersion}'s electron executable.`);
      process.exit(1);
    }
  } else {
    say(`checking the Electron ${electronVersion} binary (Electron's installer downloads it the first time)…`);
    const r = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    const pathFile = path.join(electronDir, 'path.txt');
    if (r.status !== 0 || !fs.existsSync(pathFile)) {
      const why = (r.stderr ?? '').split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at ')) ?? `exit code ${r.status}`;
      say(`could not download Electron ${electronVersion} (${why}). ${OFFLINE}`);
      process.exit(1);
    }
    electronExec = path.join(electronDir, 'dist', fs.readFileSync(pathFile, 'utf8'));
  }
}

// --- 2. better-sqlite3 for Electron's ABI -------------------------------------------------------
/** Loads the module in Electron as Node (when there is an Electron to ask): the ABI check that cannot lie. */
function loadsInElectron(file) {
  if (!electronExec || !fs.existsSync(electronExec)) return { checked: false };
  const r = spawnSync(electronExec, ['-e', 'process.dlopen({ exports: {} }, process.argv.at(-1))', file], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  return { checked: true, ok: r.status === 0, error: (r.stderr ?? '').trim().split('\n')[0] };
}

/** null when `file` is a module for Electron's ABI, else why not. */
function wrongModule(file) {
  const abi = addonAbi(file);
  if (abi !== electronAbi && abi !== 'napi') return `it is built for ${abiName(abi)}, not ${abiName(electronAbi)}`;
  const loaded = loadsInElectron(file);
  if (loaded.checked && !loaded.ok) return `Electron ${electronVersion} cannot load it (${loaded.error})`;
  return null;
}

if (fs.existsSync(outFile)) {
  const wrong = wrongModule(outFile);
  if (wrong === null) {
    say(`better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (ABI ${electronAbi}) is ready: ${path.relative(root, outFile)}.`);
    process.exit(0);
  }
  if (verifyOnly) {
    say(`${outFile} is not usable by Electron: ${wrong}. Run npm run prepare:electron to rebuild it.`);
    process.exit(1);
  }
  say(`${path.relative(root, outFile)} is not usable by Electron: ${wrong}; rebuilding it.`);
} else if (verifyOnly) {
  say(`there is no ${outFile}; run npm run prepare:electron.`);
  process.exit(1);
}

const source = path.dirname(requireFromRoot.resolve('better-sqlite3/package.json'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-electron-sqlite-'));
const work = path.join(scratch, 'better-sqlite3');
fs.cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(path.join(source, 'build')) });
const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');

function attempt(label, command, args) {
  say(`${label}…`);
  fs.rmSync(path.join(work, 'build'), { recursive: true, force: true });
  const r = spawnSync(command, args, { cwd: work, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_runtime: 'electron' } });
  if (r.status !== 0 || !fs.existsSync(built)) return false;
  const wrong = wrongModule(built);
  if (wrong !== null) say(`the result is not usable by Electron: ${wrong}.`);
  return wrong === null;
}

const prebuild = path.join(path.dirname(requireFromRoot.resolve('prebuild-install/package.json')), 'bin.js');
let ok = attempt(`downloading a prebuilt better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}`, process.execPath, [
  prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform,
]);
if (!ok) {
  // npm ships node-gyp; build against Electron's headers (a few minutes).
  const gyp = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (fs.existsSync(gyp)) {
    ok = attempt(`building better-sqlite3 against the Electron ${electronVersion} headers (a few minutes)`, process.execPath, [
      gyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers',
    ]);
  }
}

if (!ok) {
  fs.rmSync(scratch, { recursive: true, force: true });
  say(
    `could not prepare better-sqlite3 for Electron ${electronVersion}: no prebuilt binary could be downloaded and no build against the Electron headers gave a module for its ABI ${electronAbi}. ` +
      'The desktop app needs it to open its database; the browser mode (`ffr serve`) does not.',
  );
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(built, `${outFile}.tmp`);
fs.renameSync(`${outFile}.tmp`, outFile);
fs.rmSync(path.join(outDir, 'better_sqlite3.json'), { force: true }); // the old stamp file: not trusted any more
fs.rmSync(scratch, { recursive: true, force: true });
say(`wrote ${path.relative(root, outFile)} for Electron ${electronVersion} (ABI ${electronAbi}, read from the binary).`);
