/**
 * Reading Slurm's answers, against output captured from Slurm 22.05 on a single-node cluster
 * (testing/: squeue --json, scontrol show job -o, sacct -c), and what a job's end means for its run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWaitStatus, parseSacct, parseScontrolJob, parseSqueueJson, runEnding, scontrolFields } from './parse';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => fs.readFileSync(path.join(here, 'testing', name), 'utf8');

describe('squeue --json', () => {
  const text = fixture('squeue-22.05.json');

  it('keeps only the jobs asked for (squeue ignores -j) and decodes exit_code as a wait status', () => {
    const jobs = parseSqueueJson(text, ['6', '7', '11', '12', '999']);
    expect([...jobs.keys()].sort()).toEqual(['11', '12', '6', '7']);
    expect(jobs.get('7')).toMatchObject({ state: 'FAILED', exitCode: 3, signal: 0, reason: 'NonZeroExitCode' });
    expect(jobs.get('6')).toMatchObject({ state: 'CANCELLED', exitCode: 0, signal: 15 });
    expect(jobs.get('11')).toMatchObject({ state: 'PENDING', reason: 'JobHeldUser', exitCode: null, signal: null });
    expect(jobs.get('12')).toMatchObject({ state: 'RUNNING', reason: null, exitCode: null });
  });

  it('knows array tasks by <array job>_<task>', () => {
    const jobs = parseSqueueJson(text, ['13_0', '13_1']);
    expect(jobs.get('13_0')).toMatchObject({ state: 'FAILED', exitCode: 2 });
    expect(jobs.get('13_1')).toMatchObject({ state: 'PENDING', reason: 'Resources' });
  });

  it('refuses an answer with errors, without jobs, or that is not JSON, in one sentence', () => {
    expect(() => parseSqueueJson(JSON.stringify({ errors: [{ description: 'Unable to contact slurm controller' }], jobs: [] }), ['1'])).toThrow(
      'squeue reported an error: Unable to contact slurm controller.',
    );
    expect(() => parseSqueueJson('{"meta":{}}', ['1'])).toThrow('without a "jobs" list');
    expect(() => parseSqueueJson('slurm_load_jobs error', ['1'])).toThrow('not JSON');
  });

  it('decodes wait statuses: exit code in bits 8-15, signal in bits 0-6', () => {
    expect(decodeWaitStatus(1792)).toEqual({ exitCode: 7, signal: 0 });
    expect(decodeWaitStatus(15)).toEqual({ exitCode: 0, signal: 15 });
    expect(decodeWaitStatus(9)).toEqual({ exitCode: 0, signal: 9 });
    expect(decodeWaitStatus(0)).toEqual({ exitCode: 0, signal: 0 });
    expect(decodeWaitStatus(0x8b)).toEqual({ exitCode: 0, signal: 11 }); // core dump bit dropped
  });
});

describe('scontrol show job -o', () => {
  const lines = fixture('scontrol-22.05.txt').trim().split('\n');

  it('reads state, reason, ExitCode and the expanded output path', () => {
    expect(parseScontrolJob(lines[0]!)).toMatchObject({ jobId: '11', state: 'PENDING', reason: 'JobHeldUser' });
    const cancelled = parseScontrolJob(lines[1]!)!;
    expect(cancelled).toMatchObject({ jobId: '6', state: 'CANCELLED', exitCode: 0, signal: 15, reason: null });
    expect(cancelled.stdout).toMatch(/slurm-6\.out$/);
    expect(parseScontrolJob(lines[2]!)).toMatchObject({ jobId: '7', state: 'FAILED', exitCode: 3, signal: 0 });
    expect(parseScontrolJob(lines[3]!)).toMatchObject({ jobId: '13_1', state: 'PENDING', reason: 'Resources' });
  });

  it('splits Key=Value pairs whose keys carry / and :', () => {
    const f = scontrolFields('JobId=5 CPUs/Task=1 AllocNode:Sid=localhost:4937 Command=/a b/run.sh WorkDir=/x');
    expect(f.get('CPUs/Task')).toBe('1');
    expect(f.get('AllocNode:Sid')).toBe('localhost:4937');
    expect(f.get('Command')).toBe('/a b/run.sh');
    expect(f.get('WorkDir')).toBe('/x');
  });

  it('is null for an answer that is no job line', () => {
    expect(parseScontrolJob('slurm_load_jobs error: Invalid job id specified')).toBeNull();
  });
});

describe('sacct', () => {
  it('reads the allocation line of a job from the job-completion log', () => {
    const text = fixture('sacct-c-22.05.txt');
    expect(parseSacct(text, '7')).toMatchObject({ state: 'FAILED', exitCode: 3, signal: 0 });
    expect(parseSacct(text, '2')).toMatchObject({ state: 'TIMEOUT' });
    expect(parseSacct(text, '404')).toBeNull();
    expect(parseSacct('12|CANCELLED by 0|0:15\n12.batch|CANCELLED|0:15\n', '12')).toMatchObject({ state: 'CANCELLED', signal: 15 });
  });
});

describe('what a job end means for its run', () => {
  const job = (state: string, exitCode: number | null = 0, signal: number | null = 0) => ({ jobId: '9', state, reason: null, exitCode, signal, stdout: null });

  it('maps states: cancelled, interrupted (time limit, node failure, preemption), failed with the code or signal and the output', () => {
    expect(runEnding('9', job('CANCELLED', 0, 15), '')).toEqual({ status: 'cancelled', error: null });
    expect(runEnding('9', job('TIMEOUT', 0, 15), '')).toMatchObject({ status: 'interrupted', error: expect.stringContaining('time limit') });
    for (const s of ['NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']) expect(runEnding('9', job(s), '').status).toBe('interrupted');
    expect(runEnding('9', job('FAILED', 7, 0), 'loading\nboom: no such module\n')).toEqual({
      status: 'failed',
      error: 'Slurm job 9 failed with exit code 7. Last lines of its output: loading | boom: no such module',
    });
    expect(runEnding('9', job('FAILED', 0, 9), '').error).toBe('Slurm job 9 was killed by signal SIGKILL.');
    expect(runEnding('9', job('OUT_OF_MEMORY', 0, 9), '')).toMatchObject({ status: 'failed', error: expect.stringContaining('--slurm-mem') });
    expect(runEnding('9', job('COMPLETED'), '')).toMatchObject({ status: 'failed', error: expect.stringContaining('no final message') });
    expect(runEnding('9', null, '')).toMatchObject({ status: 'interrupted', error: expect.stringContaining('no longer knows job 9') });
  });
});
