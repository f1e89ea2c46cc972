#!/usr/bin/env node
/**
 * Builds the ffr_onednn addon (npm install runs this as the root package's `install` script; by
 * hand: `npm run build:onednn`). Never fails the install: when a C++ compiler or oneDNN is
 * missing, or the build fails, it says so, records why in build/status.json (which `ffr info`
 * reports, with the command that installs what is missing) and exits 0 — the workbench then runs
 * on the wasm backend.
 *
 * node-gyp is npm's own (npm_config_node_gyp) or, run by hand, the one bundled with npm. Node's
 * headers: npm_config_nodedir when npm passes it, else the headers installed with Node itself
 * (<prefix>/include/node), so no download is needed; only without either does node-gyp download
 * them. FFR_SKIP_ONEDNN=1 skips the build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const statusFile = path.join(here, 'build', 'status.json');
const require = createRequire(import.meta.url);

function writeStatus(status) {
  fs.mkdirSync(path.dirname(statusFile), { recursive: true });
  fs.writeFileSync(statusFile, JSON.stringify({ ...status, date: new Date().toISOString() }, null, 2) + '\n');
}

function works(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore', shell: process.platform === 'win32' });
  return r.status === 0;
}

/** Folders where oneDNN's headers may be: DNNL_ROOT, CPATH, the usual prefixes, Homebrew. */
function includeDirs() {
  const dirs = [];
  if (process.env.DNNL_ROOT) dirs.push(path.join(process.env.DNNL_ROOT, 'include'));
  for (const v of [process.env.CPATH, process.env.CPLUS_INCLUDE_PATH]) if (v) dirs.push(...v.split(path.delimiter));
  if (process.platform === 'win32') dirs.push('C:/Program Files/oneDNN/include');
  else dirs.push('/usr/include', '/usr/local/include', '/opt/homebrew/include');
  return dirs.filter(Boolean);
}

function missingPieces() {
  const missing = [];
  if (process.platform !== 'win32' && !['c++', 'g++', 'clang++'].some((cc) => works(cc, ['--version']))) missing.push('a C++ compiler');
  if (!includeDirs().some((d) => fs.existsSync(path.join(d, 'oneapi', 'dnnl', 'dnnl.hpp')))) missing.push('the oneDNN headers (oneapi/dnnl/dnnl.hpp)');
  if (!['python3', 'python'].some((py) => works(py, ['--version']))) missing.push('Python 3 (node-gyp needs it)');
  return missing;
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: npm's bundled copy above
  }
  return candidates.find((c) => c && fs.existsSync(c));
}

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function main() {
  if (process.env.FFR_SKIP_ONEDNN === '1') {
    console.log('ffr onednn addon: skipped (FFR_SKIP_ONEDNN=1).');
    writeStatus({ built: false, error: 'skipped with FFR_SKIP_ONEDNN=1' });
    return;
  }
  const missing = missingPieces();
  if (missing.length > 0) {
    console.warn(`ffr onednn addon: not built, missing ${missing.join(' and ')}. The workbench will train on wasm; \`ffr info\` says how to install them.`);
    writeStatus({ built: false, missing });
    return;
  }
  const gyp = nodeGyp();
  if (!gyp) {
    console.warn('ffr onednn addon: not built, node-gyp not found (it comes with npm).');
    writeStatus({ built: false, missing: ['node-gyp (it comes with npm)'] });
    return;
  }
  const dir = nodeDir();
  const args = [gyp, 'rebuild', '--release', ...(dir ? [`--nodedir=${dir}`] : [])];
  console.log(`ffr onednn addon: building (node-gyp${dir ? `, Node headers from ${dir}` : ''})…`);
  const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.status === 0 && fs.existsSync(path.join(here, 'build', 'Release', 'ffr_onednn.node'))) {
    console.log('ffr onednn addon: built (native/onednn/build/Release/ffr_onednn.node).');
    writeStatus({ built: true });
    return;
  }
  const errorLine = output.split('\n').find((l) => /error/i.test(l) && !/gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l))?.trim() ?? `node-gyp exited with ${r.status}`;
  console.warn(`ffr onednn addon: the build failed (${errorLine}). The workbench will train on wasm.\n${output.split('\n').slice(-15).join('\n')}`);
  writeStatus({ built: false, error: errorLine });
}

try {
  main();
} catch (e) {
  console.warn(`ffr onednn addon: not built (${e instanceof Error ? e.message : e}).`);
}
process.exit(0);
