import { describe, expect, it } from 'vitest';
import { fresherSlurmJob, type SlurmJob } from './executor';

const job = (over: Partial<SlurmJob> = {}): SlurmJob => ({
  jobId: '7',
  attempt: 1,
  state: 'RUNNING',
  reason: null,
  exitCode: null,
  signal: null,
  jobDir: '/jobs/r1/attempt-1',
  submittedAt: '2026-12-01T00:00:00.000Z',
  endedAt: null,
  ...over,
});

describe('fresherSlurmJob: which of two records of one run’s job a view keeps', () => {
  const ended = job({ state: 'COMPLETED', exitCode: 0, signal: 0, endedAt: '2026-12-01T00:01:00.000Z' });

  it('an ended job over the same attempt not yet ended, whichever side it is on', () => {
    expect(fresherSlurmJob(job(), ended)).toBe(ended);
    expect(fresherSlurmJob(ended, job())).toBe(ended);
  });

  it('a later attempt over an earlier one, even an ended one', () => {
    const resubmitted = job({ jobId: '9', attempt: 2, state: 'PENDING' });
    expect(fresherSlurmJob(resubmitted, ended)).toBe(resubmitted);
    expect(fresherSlurmJob(ended, resubmitted)).toBe(resubmitted);
  });

  it('otherwise what was read; either side alone when the other is missing', () => {
    const pending = job({ state: 'PENDING' });
    expect(fresherSlurmJob(job(), pending)).toEqual(job());
    expect(fresherSlurmJob(null, pending)).toBe(pending);
    expect(fresherSlurmJob(pending, null)).toBe(pending);
    expect(fresherSlurmJob(null, null)).toBeNull();
  });
});
