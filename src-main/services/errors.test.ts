import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../catalog/datasets/errors';
import { StoreError } from '../store';
import { ConflictError, NotFoundError, ServiceError, UserInputError, toErrorBody } from './errors';

describe('service errors', () => {
  it('take their contract code from their kind, never from their text', () => {
    expect(toErrorBody(new UserInputError('Run setting lr: too big'))).toEqual({ code: 'invalid-input', message: 'Run setting lr: too big.' });
    expect(toErrorBody(new NotFoundError('There is no prune "p".'))).toMatchObject({ code: 'not-found' });
    expect(toErrorBody(new ConflictError('Run r is running; cancel it first.'))).toMatchObject({ code: 'conflict' });
    expect(toErrorBody(new ServiceError('forbidden', 'No.'))).toMatchObject({ code: 'forbidden' });
    expect(toErrorBody(new StoreError('not-found', 'Unknown run "r".'))).toMatchObject({ code: 'not-found' });
    expect(toErrorBody(new StoreError('conflict', 'A project named "a" already exists.'))).toMatchObject({ code: 'conflict' });
    expect(toErrorBody(new StoreError('invalid', 'Invalid project name: too long.'))).toMatchObject({ code: 'invalid-input' });
    expect(toErrorBody(new StoreError('corrupt', 'x is not an FFR Workbench database.'))).toMatchObject({ code: 'internal' });
    // Not the user's bug, but the user's to fix (free space, permissions): refused, not internal.
    expect(toErrorBody(new StoreError('read-only', 'The data directory /d is read-only.'))).toMatchObject({ code: 'conflict' });
    expect(toErrorBody(new StoreError('disk-full', 'The database /d/ffr.sqlite cannot be opened because the disk is full.'))).toMatchObject({ code: 'conflict' });
    expect(toErrorBody(new DatasetError('Image folder /x does not exist or is not a folder.'))).toMatchObject({ code: 'invalid-input' });
    expect(toErrorBody(z.number().safeParse('a').error)).toMatchObject({ code: 'invalid-params' });
    // Text that reads like another kind does not make it one.
    expect(toErrorBody(new Error('There is no run "r"; not found'))).toEqual({ code: 'internal', message: 'There is no run "r"; not found.' });
  });

  it("name SQLite's storage failures in words; a file system error keeps its own", () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(toErrorBody(full)).toEqual({ code: 'conflict', message: 'The data directory cannot be used: the disk is full (database or disk is full).' });
    const readOnly = Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
    expect(toErrorBody(readOnly)).toMatchObject({ code: 'conflict', message: expect.stringContaining('the data directory is read-only') });
    const denied = Object.assign(new Error('EACCES: permission denied, mkdir /home/u/models'), { code: 'EACCES' });
    expect(toErrorBody(denied)).toEqual({ code: 'internal', message: 'EACCES: permission denied, mkdir /home/u/models.' });
    const damaged = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    expect(toErrorBody(damaged)).toMatchObject({ code: 'internal', message: expect.stringContaining('the database is damaged') });
  });

  it('keep one line of a multi-line message', () => {
    expect(toErrorBody(new Error('first line\n    at stack'))).toEqual({ code: 'internal', message: 'first line.' });
  });
});
