import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../shared/run-config';
import { toolJobHandlers } from './jobs/tools';
import { HostMessage, TOOL_JOBS, ToolJob, ToolResult, TrainerMessage } from './protocol';

const kinds = Object.keys(TOOL_JOBS).sort();

describe('trainer protocol', () => {
  it('every tool job kind has one payload schema, one result schema and one handler, on both sides', () => {
    expect(ToolJob.options.map((o) => o.shape.kind.value).sort()).toEqual(kinds);
    expect(ToolResult.options.map((o) => o.shape.kind.value).sort()).toEqual(kinds);
    expect(Object.keys(toolJobHandlers).sort()).toEqual(kinds);
    for (const o of ToolJob.options) expect(o.shape.payload).toBe(TOOL_JOBS[o.shape.kind.value].payload);
    for (const o of ToolResult.options) expect(o.shape.value).toBe(TOOL_JOBS[o.shape.kind.value].result);
  });

  it('refuses a job kind it does not have, and a payload of the wrong shape, naming the field', () => {
    expect(HostMessage.safeParse({ type: 'run', job: { kind: 'evaluate', payload: {} } }).success).toBe(false);
    const bad = HostMessage.safeParse({ type: 'run', job: { kind: 'prune', payload: { config: defaultRunConfig(), modelPath: 'm', outPath: 'o', selection: { criterion: 'l2' } } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path.slice(0, 3)).toEqual(['job', 'payload', 'selection']);
    const ok = HostMessage.safeParse({ type: 'run', job: { kind: 'dataset', payload: { ref: { name: 'mnist' }, samples: null } } });
    expect(ok.success).toBe(true);
  });

  it('a result is tagged with its kind and checked with that kind’s schema', () => {
    const backends = { kind: 'backends', value: { backends: [{ name: 'cpu', available: true }], wasmThreads: 1 } };
    expect(TrainerMessage.safeParse({ type: 'result', result: backends }).success).toBe(true);
    expect(TrainerMessage.safeParse({ type: 'result', result: { ...backends, kind: 'sweep' } }).success).toBe(false);
    expect(TrainerMessage.safeParse({ type: 'result', result: { kind: 'backends', value: { backends: [] } } }).success).toBe(false);
  });
});
