/**
 * What is submitted: sbatch's argv and the batch script. Quoting is tested by running the script's
 * own lines in bash with nasty paths, not by comparing strings.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchScript, jobName, parseSbatchOutput, sbatchArgs, splitSlurmArgs } from './script';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-slurm-script-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the batch script', () => {
  it('hands the trainer its job folder, a cancel file and no host pid, whatever the paths hold', () => {
    const nasty = path.join(tmp, `job dir 'with' "quotes" $HOME \`x\` ;&|`);
    fs.mkdirSync(nasty, { recursive: true });
    // A stand-in "node" that prints what it was given and the environment the trainer reads.
    const fakeNode = path.join(tmp, "my node's bin");
    fs.writeFileSync(fakeNode, '#!/bin/bash\nprintf "%s\\n" "$@" "$FFR_TRAINER_TRANSPORT" "$FFR_JOB_DIR" "$FFR_TRAINER_CANCEL_FILE" "${FFR_HOST_PID-unset}" "$PWD" "$SETUP_RAN"\n', { mode: 0o755 });
    const script = batchScript({
      runId: 'run-abc',
      attempt: 2,
      jobDir: nasty,
      node: fakeNode,
      loader: 'file:///opt/wb/node_modules/tsx/dist/loader.mjs',
      entry: '/opt/work bench/src-main/trainer/main.ts',
      setup: 'export SETUP_RAN="yes, $((1 + 1))"\r\n',
    });
    const file = path.join(tmp, 'run.sh');
    fs.writeFileSync(file, script);
    const r = spawnSync('bash', [file], { env: { ...process.env, FFR_HOST_PID: '12345' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 9)).toEqual([
      '--import',
      'file:///opt/wb/node_modules/tsx/dist/loader.mjs',
      '/opt/work bench/src-main/trainer/main.ts',
      'file',
      nasty,
      `${nasty}/cancel`,
      'unset',
      nasty,
      'yes, 2',
    ]);
  });

  it('stops at a failing setup line with its exit code', () => {
    const file = path.join(tmp, 'fail.sh');
    fs.writeFileSync(file, batchScript({ runId: 'r', attempt: 1, jobDir: tmp, node: '/bin/false', loader: 'x', entry: 'y', setup: 'echo loading; exit 7' }));
    const r = spawnSync('bash', [file], { encoding: 'utf8' });
    expect([r.status, r.stdout.trim()]).toEqual([7, 'loading']);
  });
});

describe('sbatch arguments', () => {
  it('sets the job name, folder, output, no requeue and the asked resources, each as one argv word', () => {
    const args = sbatchArgs({
      runId: 'run-abc',
      attempt: 3,
      jobDir: '/shared/ffr jobs/run-abc/attempt-3',
      scriptPath: '/shared/ffr jobs/run-abc/attempt-3/run.sh',
      settings: { partition: 'gpu,debug', time: '2:00:00', cpus: 4, gpus: 'a100:1', mem: '16G', args: `--qos=high --account='my group' --comment="a b"` },
    });
    expect(args).toEqual([
      '--parsable',
      '--job-name=ffr-run-abc-a3',
      '--chdir=/shared/ffr jobs/run-abc/attempt-3',
      '--output=/shared/ffr jobs/run-abc/attempt-3/slurm-%j.out',
      '--no-requeue',
      '--partition=gpu,debug',
      '--time=2:00:00',
      '--cpus-per-task=4',
      '--gpus=a100:1',
      '--mem=16G',
      '--qos=high',
      '--account=my group',
      '--comment=a b',
      '/shared/ffr jobs/run-abc/attempt-3/run.sh',
    ]);
    expect(jobName('run-x', 1)).toBe('ffr-run-x-a1');
  });

  it('leaves out what is not asked for', () => {
    expect(sbatchArgs({ runId: 'r', attempt: 1, jobDir: '/j', scriptPath: '/j/run.sh', settings: {} })).toEqual([
      '--parsable', '--job-name=ffr-r-a1', '--chdir=/j', '--output=/j/slurm-%j.out', '--no-requeue', '/j/run.sh',
    ]);
  });

  it('splits --slurm-args like a shell, expanding nothing, and refuses operators and the options it sets itself', () => {
    expect(splitSlurmArgs(`--exclude=node* --comment=$HOME "x y"`)).toEqual(['--exclude=node*', '--comment=$HOME', 'x y']);
    expect(splitSlurmArgs('')).toEqual([]);
    expect(() => splitSlurmArgs('--qos=high; rm -rf /')).toThrow('--slurm-args cannot contain the shell operator ";"');
    expect(() => splitSlurmArgs('--qos=a | tee x')).toThrow('operator "|"');
    expect(() => splitSlurmArgs('--output=/tmp/x')).toThrow('--slurm-args cannot set --output');
    expect(() => splitSlurmArgs('-o /tmp/x')).toThrow('cannot set -o');
    expect(() => splitSlurmArgs('--array=0-3')).toThrow('cannot set --array');
  });

  it('reads the job id from sbatch --parsable', () => {
    expect(parseSbatchOutput('123\n')).toBe('123');
    expect(parseSbatchOutput('456;cluster-a\n')).toBe('456');
    expect(parseSbatchOutput('sbatch: error: x')).toBeNull();
  });
});
