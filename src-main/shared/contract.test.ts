/** The contract itself: well-formed, and bad params rejected with one clear sentence. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_NAMES, METHOD_NAMES, describeParamsError, events, isEventName, isMethodName, methods } from './contract';

describe('contract', () => {
  it('declares params and result schemas for every method, named domain.verb', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(20);
    for (const name of METHOD_NAMES) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(methods[name].params).toBeInstanceOf(z.ZodType);
      expect(methods[name].result).toBeInstanceOf(z.ZodType);
      expect(methods[name].doc).toMatch(/\.$/);
      // Params are always one object: a bare value or array is refused.
      expect(methods[name].params.safeParse('x').success).toBe(false);
      expect(methods[name].params.safeParse([]).success).toBe(false);
    }
    expect(isMethodName('runs.create')).toBe(true);
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
  });

  it('declares the event streams', () => {
    expect([...EVENT_NAMES].sort()).toEqual(['log', 'run-epoch', 'run-progress', 'run-slurm', 'run-status', 'run-steps', 'study-progress', 'sweep-progress']);
    expect(isEventName('run-epoch')).toBe(true);
    expect(events['run-status'].safeParse({ runId: 'r', status: 'exploded', error: null }).success).toBe(false);
  });

  it('rejects bad params with one sentence naming the field', () => {
    const cases: Array<[keyof typeof methods, unknown, RegExp]> = [
      ['projects.create', { name: '   ' }, /^Invalid param "name" for projects\.create: .+\.$/],
      ['runs.get', {}, /^Invalid param "runId" for runs\.get: .+\.$/],
      ['runs.compare', { runIds: ['a'] }, /^Invalid param "runIds" for runs\.compare: needs at least two run ids\.$/],
      ['runs.setTags', { runId: 'r', tags: ['ok', ''] }, /^Invalid param "tags\.1" for runs\.setTags/],
      ['datasets.samples', { datasetId: 'd', perClass: 1000 }, /^Invalid param "perClass" for datasets\.samples/],
      ['datasets.register', { kind: 'zip', dataDir: '/x' }, /^Invalid param "kind" for datasets\.register/],
    ];
    for (const [name, params, message] of cases) {
      const r = methods[name].params.safeParse(params);
      expect(r.success, name).toBe(false);
      if (!r.success) expect(describeParamsError(name, r.error)).toMatch(message);
    }
  });

  it('applies defaults the renderer may omit', () => {
    expect(methods['datasets.samples'].params.parse({ datasetId: 'builtin:mnist' })).toEqual({
      datasetId: 'builtin:mnist',
      split: 'train',
      perClass: 4,
      scale: 2,
      maxClasses: 100,
    });
    expect(methods['app.info'].params.parse({})).toEqual({});
  });
});
