// Prepares better-sqlite3 for Electron's ABI in resources/native/better_sqlite3.node, which Electron
// main hands to better-sqlite3 through its `nativeBinding` option. node_modules/better-sqlite3 keeps
// its Node build, so tests, the CLI and `ffr serve` are unaffected.
//
// How: in a scratch copy of the package, first `prebuild-install --runtime electron` (a prebuilt
// binary from the better-sqlite3 releases), else `node-gyp rebuild` against the Electron headers.
// Both need the network; offline, it says so and exits 1 (`ffr serve` still works).
//
// Usage: node scripts/prepare-electron-native.mjs [--force]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));
const force = process.argv.includes('--force');

function say(message) {
  process.stderr.write(`prepare-electron-native: ${message}\n`);
}

function version(pkg) {
  return requireFromRoot(`${pkg}/package.json`).version;
}

const electronVersion = version('electron');
const sqliteVersion = version('better-sqlite3');
const outDir = path.join(root, 'resources', 'native');
const outFile = path.join(outDir, 'better_sqlite3.node');
const stampFile = path.join(outDir, 'better_sqlite3.json');
const stamp = { electron: electronVersion, betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch };

if (!force && fs.existsSync(outFile) && fs.existsSync(stampFile)) {
  const old = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  if (JSON.stringify(old) === JSON.stringify(stamp)) {
    say(`better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} is ready (${path.relative(root, outFile)}).`);
    process.exit(0);
  }
}

const source = path.dirname(requireFromRoot.resolve('better-sqlite3/package.json'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-electron-sqlite-'));
const work = path.join(scratch, 'better-sqlite3');
fs.cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(path.join(source, 'build')) });
const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');

function run(label, command, args) {
  say(`${label}…`);
  const r = spawnSync(command, args, { cwd: work, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_runtime: 'electron' } });
  return r.status === 0 && fs.existsSync(built);
}

const prebuild = path.join(path.dirname(requireFromRoot.resolve('prebuild-install/package.json')), 'bin.js');
const target = ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform];
let ok = run(`downloading a prebuilt better-sqlite3 for Electron ${electronVersion}`, process.execPath, [prebuild, ...target]);

if (!ok) {
  // npm ships node-gyp; build against Electron's headers.
  const npmDir = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const gyp = [path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find((p) => fs.existsSync(p));
  if (gyp) {
    ok = run(`building better-sqlite3 against the Electron ${electronVersion} headers`, process.execPath, [
      gyp,
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      `--arch=${process.arch}`,
      '--dist-url=https://electronjs.org/headers',
    ]);
  }
}

if (!ok) {
  fs.rmSync(scratch, { recursive: true, force: true });
  say(
    `could not prepare better-sqlite3 for Electron ${electronVersion}: no prebuilt binary could be downloaded and no build against the Electron headers succeeded (both need the network). ` +
      'The desktop app needs it to open its database; the browser mode (`ffr serve`) does not.',
  );
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(built, outFile);
fs.writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
fs.rmSync(scratch, { recursive: true, force: true });
say(`wrote ${path.relative(root, outFile)} for Electron ${electronVersion}.`);
