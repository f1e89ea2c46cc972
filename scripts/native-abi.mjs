// Which Node ABI a native addon was built for, read from the binary itself (not from a stamp file):
// a V8 addon (better-sqlite3 is one) exports `node_register_module_v<ABI>`, the NODE_MODULE_VERSION
// of the runtime whose headers it was compiled against (Node 20 = 115; Electron 45 = 150, its
// `abi_version`). Node-API addons export `napi_register_module_v1` instead and load in any runtime.
// The symbol name is stored as plain text in ELF, Mach-O and PE export tables alike.
import fs from 'node:fs';

/** 'napi', the ABI number as a string, or null when the file names neither. */
export function addonAbi(file) {
  const text = fs.readFileSync(file).toString('latin1');
  const v8 = /node_register_module_v(\d+)/.exec(text);
  if (v8) return v8[1];
  if (text.includes('napi_register_module_v1')) return 'napi';
  return null;
}
