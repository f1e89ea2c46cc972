/**
 * better-sqlite3 under Electron. Its native module is tied to one ABI: the one npm built is for
 * Node (tests, CLI, `ffr serve`); Electron needs one built for its own ABI. That build lives in
 * resources/native/better_sqlite3.node (made by `npm run prepare:electron`) and is handed to
 * better-sqlite3 through its `nativeBinding` option, so the Node build stays untouched.
 */
import fs from 'node:fs';
import path from 'node:path';

export const BINDING_FILE = 'better_sqlite3.node';

/** Where an Electron build may be: next to a packaged app's resources, or in the checkout. */
export function bindingCandidates(appRoot: string, resourcesPath: string | undefined): string[] {
  return [
    ...(resourcesPath ? [path.join(resourcesPath, 'native', BINDING_FILE)] : []),
    path.join(appRoot, 'resources', 'native', BINDING_FILE),
  ];
}

export function findBinding(candidates: string[], exists: (p: string) => boolean = fs.existsSync): string | null {
  return candidates.find((c) => exists(c)) ?? null;
}

/** One sentence for a store that failed to open under Electron, saying how to fix it. */
export function sqliteLoadHelp(error: unknown, electronVersion: string, bindingPath: string | null): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version|invalid ELF header|not a valid Win32 application|Module did not self-register/i.test(message)) {
    return bindingPath
      ? `The SQLite module at ${bindingPath} was not built for Electron ${electronVersion}; run \`npm run prepare:electron\` again and restart.`
      : `better-sqlite3 is built for Node.js, not for Electron ${electronVersion}; run \`npm run prepare:electron\` (it needs the network or the Electron headers) and start again.`;
  }
  return `The workbench database could not be opened: ${message.split('\n')[0]}`;
}
