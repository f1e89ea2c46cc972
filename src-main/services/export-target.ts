/**
 * Where an export may be written, and what `--force` may replace. One check for every caller (the
 * CLI's `ffr export`, the API's `export.run`, the demo): ExportService.export runs it before a
 * trainer starts and again right before it swaps the new folder into place.
 *
 * An export replaces its output folder wholesale, so the folder must be one that can be lost:
 * - never the file system's root, the user's home folder or any folder containing it;
 * - never the data directory, a folder containing it, or a folder inside it (its database,
 *   checkpoints and pruned models), except below its `exports/` folder, the API's default place;
 * - an existing non-empty folder only with `force`, and only when it holds a previous export and
 *   nothing else: its report.json parses and lists every other entry.
 * Paths are compared as real paths (symbolic links and `..` resolved), so neither can smuggle the
 * data directory in under another name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExportReport } from '../shared/prune-types';
import type { HomePaths } from './home';
import { UserInputError } from './errors';

export const EXPORT_REPORT_FILE = 'report.json';

export interface ExportTarget {
  /** The output folder as a real absolute path: what the export writes, renames and reports. */
  dir: string;
  /** It exists and holds a previous export that the export will replace. */
  replaces: boolean;
}

/** `child` is `parent` or lies inside it (both absolute, normalized). */
function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * The real path of `p`, which need not exist: the deepest existing ancestor is resolved by the file
 * system (every symbolic link in it followed) and the missing rest appended.
 */
export function realPathOf(p: string): string {
  const abs = path.resolve(p);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = fs.realpathSync.native(cur);
      return missing.length === 0 ? real : path.join(real, ...missing.reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A dangling link or a loop exists but cannot be followed: writing through it would land
      // somewhere this check never saw.
      if (code !== 'ENOENT') throw new UserInputError(`The output folder ${abs} cannot be resolved (${code ?? 'error'} at ${cur}).`);
      let exists = false;
      try {
        fs.lstatSync(cur);
        exists = true;
      } catch {
        // really missing
      }
      if (exists) throw new UserInputError(`The output folder ${abs} goes through ${cur}, a symbolic link to nothing.`);
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      missing.push(path.basename(cur));
      cur = parent;
    }
  }
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

/** Why `dir` (a real path) may not be an export folder at all, or null. */
function forbiddenReason(dir: string, given: string, paths: Pick<HomePaths, 'home' | 'exportsDir'>, userHome: string): string | null {
  const named = dir === path.resolve(given) ? dir : `${given} (really ${dir})`;
  const dataDir = realOrSelf(paths.home);
  const exportsDir = isWithin(realOrSelf(paths.exportsDir), dataDir) ? realOrSelf(paths.exportsDir) : path.join(dataDir, 'exports');
  if (path.parse(dir).root === dir) return `The output folder ${named} is the root of the file system; choose a folder of its own.`;
  if (isWithin(dataDir, dir)) {
    return dir === dataDir
      ? `The output folder ${named} is the workbench's data directory; choose a folder of its own.`
      : `The output folder ${named} contains the workbench's data directory ${dataDir}; choose a folder of its own.`;
  }
  if (isWithin(dir, dataDir) && !(isWithin(dir, exportsDir) && dir !== exportsDir)) {
    return `The output folder ${named} lies inside the workbench's data directory ${dataDir}; choose a folder outside it, or one below ${exportsDir}.`;
  }
  if (isWithin(userHome, dir)) {
    return dir === userHome
      ? `The output folder ${named} is your home folder; choose a folder of its own.`
      : `The output folder ${named} contains your home folder ${userHome}; choose a folder of its own.`;
  }
  return null;
}

/** Why an existing non-empty folder is not a previous export that `force` may replace, or null. */
function notAnExportReason(dir: string, entries: string[]): string | null {
  const refuse = (why: string): string => `--force replaces only a previous export, and ${dir} ${why}; it was left as it is.`;
  if (!entries.includes(EXPORT_REPORT_FILE)) return refuse(`has no ${EXPORT_REPORT_FILE}`);
  let report: ExportReport;
  try {
    report = ExportReport.parse(JSON.parse(fs.readFileSync(path.join(dir, EXPORT_REPORT_FILE), 'utf8')));
  } catch {
    return refuse(`has a ${EXPORT_REPORT_FILE} that is not an export report`);
  }
  const listed = new Set([...report.files, EXPORT_REPORT_FILE]);
  const extra = entries.filter((e) => !listed.has(e)).sort();
  if (extra.length > 0) return refuse(`also holds ${extra.length === 1 ? 'a file' : 'files'} its report does not list (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', …' : ''})`);
  return null;
}

/**
 * Checks an output folder for an export and returns its real path; throws a UserInputError (one
 * sentence naming the folder) when the export must not write there.
 */
export function checkExportTarget(outDir: string, paths: Pick<HomePaths, 'home' | 'exportsDir'>, force: boolean, userHome = os.homedir()): ExportTarget {
  const dir = realPathOf(outDir);
  const forbidden = forbiddenReason(dir, outDir, paths, realOrSelf(userHome));
  if (forbidden) throw new UserInputError(forbidden);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return { dir, replaces: false };
  }
  if (!stat.isDirectory()) throw new UserInputError(`The output ${dir} exists and is not a folder.`);
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return { dir, replaces: false };
  if (!force) throw new UserInputError(`The output folder ${dir} exists and is not empty; pass --force to replace a previous export.`);
  const notExport = notAnExportReason(dir, entries);
  if (notExport) throw new UserInputError(notExport);
  return { dir, replaces: true };
}
