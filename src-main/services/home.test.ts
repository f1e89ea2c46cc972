/** The data directory check that runs before the store opens (the CLI scenario is in faults/storage.test.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDataDirectory } from './home';
import { tempPaths } from './testing/host';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});
function paths() {
  const p = tempPaths('ffr-home-');
  homes.push(p.home);
  return p;
}

describe('checkDataDirectory', () => {
  it('accepts a new folder, an empty runs/ folder and a 0-byte database without runs', () => {
    const p = paths();
    checkDataDirectory(p);
    fs.mkdirSync(p.runsDir);
    checkDataDirectory(p);
    fs.writeFileSync(p.database, '');
    checkDataDirectory(p);
  });

  it('refuses a missing or empty database while runs/ or prunes/ still hold files', () => {
    const p = paths();
    fs.mkdirSync(path.join(p.runsDir, 'run-abc123'), { recursive: true });
    expect(() => checkDataDirectory(p)).toThrow(
      `The database ${p.database} is missing, but the data directory still holds the files of 1 run(s) in ${p.runsDir}; FFR Workbench will not replace it with an empty database: restore ffr.sqlite from a backup, or move the folder's contents away to start afresh.`,
    );
    fs.writeFileSync(p.database, '');
    expect(() => checkDataDirectory(p)).toThrow(`The database ${p.database} is empty (0 bytes), but`);
    fs.rmSync(p.runsDir, { recursive: true });
    fs.mkdirSync(p.prunesDir);
    fs.writeFileSync(path.join(p.prunesDir, 'run-abc123-1.ffrm'), 'x');
    expect(() => checkDataDirectory(p)).toThrow(`still holds 1 pruned model file(s) in ${p.prunesDir};`);
    fs.writeFileSync(p.database, 'SQLite format 3\0');
    checkDataDirectory(p);
  });
});
