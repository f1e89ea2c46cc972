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
    expect(toErrorBody(new DatasetError('Image folder /x does not exist or is not a folder.'))).toMatchObject({ code: 'invalid-input' });
    expect(toErrorBody(z.number().safeParse('a').error)).toMatchObject({ code: 'invalid-params' });
    // Text that reads like another kind does not make it one.
    expect(toErrorBody(new Error('There is no run "r"; not found'))).toEqual({ code: 'internal', message: 'There is no run "r"; not found.' });
  });

  it('keep one line of a multi-line message', () => {
    expect(toErrorBody(new Error('first line\n    at stack'))).toEqual({ code: 'internal', message: 'first line.' });
  });
});
