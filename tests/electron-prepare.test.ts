/**
 * `npm start`'s preparation (scripts/prepare-electron.mjs): the ABI of better-sqlite3's Electron
 * build is read from the binary, a module built for the wrong runtime is refused (here: the Node
 * build that node-gyp can produce while a stamp says Electron), and without a network it says in
 * one sentence what to do. The Electron binary itself cannot be downloaded on the test machine, so
 * loading the module inside Electron is not exercised here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { addonAbi } from '../scripts/native-abi.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const script = path.join(root, 'scripts', 'prepare-electron.mjs');
const nodeBuild = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const electronDir = path.dirname(require.resolve('electron/package.json'));
const electronVersion = (require('electron/package.json') as { version: string }).version;
const electronAbi = fs.readFileSync(path.join(electronDir, 'abi_version'), 'utf8').trim();

let tmp: string | undefined;
afterEach(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

function prepare(args: string[], env: Record<string, string>) {
  const { ELECTRON_EXEC_PATH: _ignored, ...rest } = process.env;
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, env: { ...rest, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr };
}

describe('npm start: Electron and its better-sqlite3', () => {
  it('reads the ABI from the binary: the installed better-sqlite3 is built for this Node', () => {
    expect(addonAbi(nodeBuild)).toBe(process.versions.modules);
    expect(electronAbi).not.toBe(process.versions.modules);
  });

  it('refuses a module built for Node although it sits where the Electron build belongs', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-native-'));
    fs.copyFileSync(nodeBuild, path.join(tmp, 'better_sqlite3.node'));
    // The stamp the old script trusted, saying Electron: ignored now.
    fs.writeFileSync(path.join(tmp, 'better_sqlite3.json'), JSON.stringify({ electron: electronVersion }));
    const r = prepare(['--verify-only'], { FFR_ELECTRON_NATIVE_DIR: tmp });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `is not usable by Electron: it is built for ABI ${process.versions.modules}, Node.js ${process.version}'s, not Electron ${electronVersion}'s ABI ${electronAbi}. Run npm run prepare:electron to rebuild it.`,
    );
  });

  it('accepts a module whose binary names Electron’s ABI', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-native-'));
    // Only the exported symbol matters to the check (no Electron here to load it in).
    fs.writeFileSync(path.join(tmp, 'better_sqlite3.node'), Buffer.from(`\0\x7fELF…node_register_module_v${electronAbi}\0…`, 'latin1'));
    const r = prepare(['--verify-only'], { FFR_ELECTRON_NATIVE_DIR: tmp });
    expect(r.stderr).toMatch(new RegExp(`for Electron ${electronVersion.replace(/\./g, '\\.')} \\(ABI ${electronAbi}\\) is ready`));
    expect(r.code).toBe(0);
  });

  it('without a network: one sentence saying what to do offline', () => {
    if (fs.existsSync(path.join(electronDir, 'path.txt'))) return; // Electron is installed here: nothing to download
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-electron-cache-'));
    // Port 9 (discard) on loopback refuses the connection: the download fails as it does offline.
    const r = prepare([], { ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: tmp, FFR_ELECTRON_NATIVE_DIR: path.join(tmp, 'native') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`prepare-electron: could not download Electron ${electronVersion.replace(/\./g, '\\.')} \\(.+\\)\\. Offline: unpack electron-v${electronVersion.replace(/\./g, '\\.')}-${process.platform}-${process.arch}\\.zip .* set ELECTRON_EXEC_PATH to the electron executable inside it, then run npm start again\\.\\n$`),
    );
    expect(fs.existsSync(path.join(tmp, 'native'))).toBe(false);
  });

  it('refuses an ELECTRON_EXEC_PATH that does not exist, naming it', () => {
    const r = prepare([], { ELECTRON_EXEC_PATH: '/nonexistent/electron' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ELECTRON_EXEC_PATH is \/nonexistent\/electron, which does not exist; point it at an unpacked Electron 45\.5\.0's electron executable\./);
  });
});
