/**
 * The files of an export, for download (`ffr serve`) and opening (the desktop app). Only files the
 * export recorded, inside its folder by real path (a symbolic link out of it is refused), can be
 * read: the download route must never become a way to read the disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { ExportRecord } from '../shared/store-types';
import type { Store } from '../store';
import { NotFoundError } from './errors';

export function exportRecord(store: Store, exportId: string): ExportRecord {
  const record = store.exports.get(exportId);
  if (!record) throw new NotFoundError(`There is no export "${exportId}".`);
  return record;
}

/** The real path of one recorded file of the export, or a NotFoundError naming what is missing. */
export function exportFilePath(record: ExportRecord, name: string): string {
  if (!record.files.includes(name)) throw new NotFoundError(`Export ${record.id} has no file "${name}".`);
  let dir: string;
  let file: string;
  try {
    dir = fs.realpathSync.native(record.dir);
    file = fs.realpathSync.native(path.join(record.dir, name));
  } catch {
    throw new NotFoundError(`The file ${path.join(record.dir, name)} of export ${record.id} is gone.`);
  }
  const rel = path.relative(dir, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || !fs.statSync(file).isFile()) {
    throw new NotFoundError(`Export ${record.id} has no file "${name}" inside its folder.`);
  }
  return file;
}

/** The folder's name as the archive calls it: "<id>-<format>". */
export function archiveName(record: ExportRecord): string {
  return `${record.id}-${record.format}`;
}

/**
 * Every recorded file in one zip (deflated), streamed: entries are `<id>-<format>/<file>`. Every
 * file is checked before the first byte is sent, so a missing file is a 404, not a cut archive.
 */
export function exportArchive(record: ExportRecord): Readable {
  const files = record.files.map((name) => ({ name, file: exportFilePath(record, name) }));
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addFile(f.file, `${archiveName(record)}/${f.name}`);
  zip.end();
  return zip.outputStream as Readable;
}
