// @vitest-environment happy-dom
/**
 * Store tests: real Pinia stores against a fake host at the api boundary (testing/fakeHost.ts).
 */
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, setTransport } from '../api';
import { flush, installFakeHost, type FakeHost } from '../testing/fakeHost';
import { allSnapshots, details, project, run, stepRows, summary } from '../testing/fixtures';
import { DATASET_GRID_SAMPLES } from '../../../src-main/shared/contract';
import { useCompareStore } from './compare';
import { useDatasetsStore } from './datasets';
import { useProjectsStore } from './projects';
import { usePruneStore } from './prune';
import { useRunDetailStore } from './runDetail';
import { useRunsStore } from './runs';
import { useStudiesStore } from './studies';
import type { Run } from '../../../src-main/shared/store-types';

let host: FakeHost;

beforeEach(() => {
  setActivePinia(createPinia());
  setTransport(null);
  localStorage.clear();
  host = installFakeHost();
});

describe('projects store', () => {
  it('creates a project, reloads the list and makes it current (remembered across reloads)', async () => {
    const list = [project('p1', 'Alpha')];
    host.handle('projects.list', () => list);
    host.handle('projects.create', (p) => {
      const created = project('p2', String(p.name));
      list.push(created);
      return created;
    });
    const s = useProjectsStore();
    await s.load();
    expect(s.items.map((p) => p.name)).toEqual(['Alpha']);
    const id = await s.create('Beta');
    expect(id).toBe('p2');
    expect(s.items.map((p) => p.name)).toEqual(['Alpha', 'Beta']);
    expect(s.current?.name).toBe('Beta');
    expect(localStorage.getItem('ffr.currentProject')).toBe('p2');
  });

  it('passes the host’s refusal to the caller and keeps the list', async () => {
    host.handle('projects.list', () => [project('p1', 'Alpha')]);
    host.handle('projects.create', () => {
      throw new Error('A project named "Alpha" already exists.');
    });
    const s = useProjectsStore();
    await s.load();
    await expect(s.create('alpha')).rejects.toThrow(/already exists/);
    expect(s.items).toHaveLength(1);
  });

  it('deleting the current project clears the selection', async () => {
    let list = [project('p1'), project('p2')];
    host.handle('projects.list', () => list);
    host.handle('projects.delete', (p) => {
      list = list.filter((x) => x.id !== p.projectId);
      return { projectId: p.projectId, runIds: [] };
    });
    const s = useProjectsStore();
    await s.load();
    s.select('p1');
    await s.remove('p1');
    expect(s.currentId).toBeNull();
    expect(s.items.map((p) => p.id)).toEqual(['p2']);
  });

  it('shows a load error instead of an empty list', async () => {
    host.handle('projects.list', () => {
      throw new Error('The database is locked.');
    });
    const s = useProjectsStore();
    await s.load();
    expect(s.error).toMatch(/locked/);
    expect(s.loaded).toBe(false);
  });
});

describe('runs store', () => {
  it('applies progress and status events in place and reloads once a run finishes', async () => {
    const rows: Run[] = [run('r1', { status: 'queued', epochsDone: 0 })];
    host.handle('runs.list', () => rows);
    host.handle('runs.summaries', (p) => (p.runIds as string[]).map((id) => summary(run(id), 0.9)));
    const s = useRunsStore();
    s.listen();
    await s.load('p1');
    expect(host.callsOf('runs.list')).toEqual([{ projectId: 'p1' }]);

    host.emit('run-progress', { runId: 'r1', epoch: 1, epochs: 2, step: 3, steps: 10, loss: 1, lr: 0.1, fraction: 0.15, etaSeconds: 12 });
    expect(s.progress.r1?.fraction).toBe(0.15);
    expect(s.byId('r1')?.status).toBe('running');
    expect(s.active).toHaveLength(1);

    rows[0] = run('r1', { status: 'completed', epochsDone: 2 });
    host.emit('run-status', { runId: 'r1', status: 'completed', error: null });
    await flush();
    expect(host.callsOf('runs.list')).toHaveLength(2);
    expect(s.active).toHaveLength(0);
    expect(s.summaries.r1?.final?.testAccuracy).toBe(0.9);
    // One call for the table's numbers, not one per run.
    expect(host.callsOf('runs.summaries')).toEqual([{ runIds: ['r1'] }]);
  });

  it('a status event for an unknown run (started elsewhere) reloads the list', async () => {
    const rows: Run[] = [];
    host.handle('runs.list', () => rows);
    const s = useRunsStore();
    s.listen();
    await s.load('p1');
    rows.push(run('cli-run', { status: 'running' }));
    host.emit('run-status', { runId: 'cli-run', status: 'running', error: null });
    await flush();
    expect(s.items.map((r) => r.id)).toEqual(['cli-run']);
  });

  it('createAndStart sends the config through runs.create and lists the queued run first', async () => {
    host.handle('runs.list', () => [run('old')]);
    host.handle('runs.create', (p) => run('new', { status: 'queued', name: String(p.name) }));
    const s = useRunsStore();
    await s.load('p1');
    const id = await s.createAndStart({ config: { model: 'mlp' }, name: 'try', projectId: 'p1' });
    expect(id).toBe('new');
    expect(host.callsOf('runs.create')).toEqual([{ config: { model: 'mlp' }, name: 'try', projectId: 'p1' }]);
    expect(s.items.map((r) => r.id)).toEqual(['new', 'old']);
  });
});

describe('runs store: rename and delete', () => {
  it('rename updates the list row and the open run without reloading either', async () => {
    host.handle('runs.list', () => [run('r1', { name: 'old' }), run('r2')]);
    host.handle('runs.get', () => details(run('r1', { name: 'old' }), [1]));
    host.handle('runs.rename', (p) => run(String(p.runId), { name: String(p.name) }));
    const s = useRunsStore();
    const d = useRunDetailStore();
    await s.load('p1');
    await d.load('r1');
    const renamed = await s.rename('r1', 'better name');
    expect(renamed.name).toBe('better name');
    expect(host.callsOf('runs.rename')).toEqual([{ runId: 'r1', name: 'better name' }]);
    expect(s.byId('r1')?.name).toBe('better name');
    expect(s.byId('r2')?.name).toBe('r2');
    expect(d.run?.name).toBe('better name');
    expect(host.callsOf('runs.list')).toHaveLength(1);
    expect(host.callsOf('runs.get')).toHaveLength(1);
  });

  it('rename passes the host’s refusal to the caller and keeps the old name', async () => {
    host.handle('runs.list', () => [run('r1', { name: 'old' })]);
    host.handle('runs.rename', () => {
      throw new ApiError('Invalid param "name" for runs.rename: Too small: expected string to have >=1 characters.', 'invalid-params', 400);
    });
    const s = useRunsStore();
    await s.load('p1');
    await expect(s.rename('r1', ' ')).rejects.toThrow(/Invalid param "name"/);
    expect(s.byId('r1')?.name).toBe('old');
  });

  it('remove drops the run and its fine-tune children from the list and closes the open run', async () => {
    host.handle('runs.list', () => [run('r1'), run('ft', { parentRunId: 'r1', kind: 'finetune' }), run('r2')]);
    host.handle('runs.summaries', (p) => (p.runIds as string[]).map((id) => summary(run(id), 0.9)));
    host.handle('runs.get', () => details(run('r1'), [1]));
    host.handle('runs.delete', () => ({ runIds: ['r1', 'ft'] }));
    const s = useRunsStore();
    const d = useRunDetailStore();
    await s.load('p1');
    await flush();
    await d.load('r1');
    expect(Object.keys(s.summaries).sort()).toEqual(['ft', 'r1', 'r2']);
    const gone = await s.remove('r1');
    expect(gone.sort()).toEqual(['ft', 'r1']);
    expect(host.callsOf('runs.delete')).toEqual([{ runId: 'r1' }]);
    expect(s.items.map((r) => r.id)).toEqual(['r2']);
    expect(Object.keys(s.summaries)).toEqual(['r2']);
    expect(d.run).toBeNull();
    expect(d.runId).toBeNull();
  });

  it('remove of the open run’s child drops it from the page’s children', async () => {
    const parent = details(run('r1'), [1]);
    parent.children = [run('ft', { parentRunId: 'r1', kind: 'finetune' })];
    host.handle('runs.get', () => parent);
    host.handle('runs.delete', (p) => ({ runIds: [String(p.runId)] }));
    const d = useRunDetailStore();
    await d.load('r1');
    await useRunsStore().remove('ft');
    expect(d.run?.id).toBe('r1');
    expect(d.details?.children).toEqual([]);
  });

  it('the open run’s fine-tune children follow status events (Delete waits for them)', async () => {
    const parent = details(run('r1'), [1]);
    parent.children = [run('ft', { parentRunId: 'r1', kind: 'finetune', status: 'queued' })];
    host.handle('runs.get', () => parent);
    const d = useRunDetailStore();
    await d.load('r1');
    host.emit('run-status', { runId: 'ft', status: 'running', error: null });
    expect(d.details?.children[0]?.status).toBe('running');
    expect(d.run?.status).toBe('completed');
    host.emit('run-status', { runId: 'ft', status: 'completed', error: null });
    expect(d.details?.children[0]?.status).toBe('completed');
    await flush();
    expect(host.callsOf('runs.get')).toHaveLength(1);
  });

  it('a re-read answered before a Slurm job’s end was recorded keeps the end a run-slurm event brought', async () => {
    const job = { jobId: '7', attempt: 1, state: 'RUNNING', reason: null, exitCode: null, signal: null, jobDir: '/jobs/r1/attempt-1', submittedAt: '2026-12-01T00:00:00.000Z', endedAt: null };
    host.handle('runs.get', () => details(run('r1', { status: 'running', executor: 'slurm', slurmJob: job }), [1]));
    const d = useRunDetailStore();
    await d.load('r1');
    // The re-read that the status event starts is answered late, from before the job's end.
    let answer!: () => void;
    const late = new Promise<void>((resolve) => (answer = resolve));
    host.handle('runs.get', async () => {
      await late;
      return details(run('r1', { status: 'completed', executor: 'slurm', slurmJob: job }), [1]);
    });
    host.emit('run-status', { runId: 'r1', status: 'completed', error: null });
    host.emit('run-slurm', { runId: 'r1', job: { ...job, state: 'COMPLETED', exitCode: 0, signal: 0, endedAt: '2026-12-01T00:01:00.000Z' } });
    expect(d.details?.run.slurmJob?.state).toBe('COMPLETED');
    answer();
    await flush();
    expect(host.callsOf('runs.get')).toHaveLength(2);
    expect(d.details?.run.status).toBe('completed');
    expect(d.details?.run.slurmJob?.state).toBe('COMPLETED');
  });

  it('a refused delete throws the host’s sentence and changes nothing', async () => {
    host.handle('runs.list', () => [run('r1', { status: 'running' })]);
    host.handle('runs.get', () => details(run('r1', { status: 'running' }), [1]));
    host.handle('runs.delete', () => {
      throw new ApiError('Run r1 is queued or running; cancel it first.', 'invalid-input', 400);
    });
    const s = useRunsStore();
    const d = useRunDetailStore();
    await s.load('p1');
    await d.load('r1');
    await expect(s.remove('r1')).rejects.toThrow('Run r1 is queued or running; cancel it first.');
    expect(s.items.map((r) => r.id)).toEqual(['r1']);
    expect(d.run?.id).toBe('r1');
  });

  it('the run page knows a deleted run from other load errors', async () => {
    host.handle('runs.get', (p) => {
      if (p.runId === 'gone') throw new ApiError('Unknown run "gone".', 'not-found', 404);
      throw new Error('The database is locked.');
    });
    const d = useRunDetailStore();
    await d.load('gone');
    expect(d.notFound).toBe(true);
    expect(d.error).toBe('Unknown run "gone".');
    await d.load('other');
    expect(d.notFound).toBe(false);
    expect(d.error).toMatch(/locked/);
  });
});

describe('runDetail store', () => {
  it('orders layers as the network does, follows the latest epoch live, and keeps a pinned one', async () => {
    const d = details(run('r1', { status: 'running', epochsDone: 2 }), [1, 2], ['conv2', 'conv1']);
    host.handle('runs.get', () => d);
    const s = useRunDetailStore();
    await s.load('r1');
    expect(s.layers).toEqual(['conv2', 'conv1']);
    expect(s.epochs).toEqual([1, 2]);
    expect(s.selectedEpoch).toBe(2);
    expect(s.structured('conv1', 2)).toBeCloseTo(0.4);
    // No layer chosen yet: the sparsest one at the chosen epoch.
    expect(s.currentLayer).toBe('conv1');

    // A new epoch arrives with its snapshots: appended without refetching; the scrubber follows.
    const e3 = details(run('r1'), [3], ['conv2', 'conv1']);
    host.emit('run-epoch', { runId: 'r1', metrics: e3.metrics[0]!, snapshots: e3.snapshots });
    expect(host.callsOf('runs.get')).toHaveLength(1);
    expect(s.metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(s.selectedEpoch).toBe(3);
    expect(s.run?.epochsDone).toBe(3);

    // The grid gained epoch 3's column from the event.
    expect(s.structured('conv1', 3)).toBeCloseTo(0.6);

    // Pinning an earlier epoch reads that epoch's snapshots (runs.get brought only the latest),
    // survives the next epoch; picking the last one follows again.
    host.handle('runs.snapshots', (p) => allSnapshots([p.epoch as number], ['conv2', 'conv1']));
    s.setEpoch(1);
    expect(s.snapshotsLoading).toBe(true);
    await flush();
    expect(host.callsOf('runs.snapshots')).toEqual([{ runId: 'r1', epoch: 1 }]);
    const e4 = details(run('r1'), [4], ['conv2', 'conv1']);
    host.emit('run-epoch', { runId: 'r1', metrics: e4.metrics[0]!, snapshots: e4.snapshots });
    expect(s.selectedEpoch).toBe(1);
    expect(s.snapshotsAtSelected.map((x) => x.epoch)).toEqual([1, 1]);
    // Epoch 3 came by event: going back to it reads nothing.
    s.setEpoch(3);
    await flush();
    expect(host.callsOf('runs.snapshots')).toHaveLength(1);
    s.setEpoch(4);
    const e5 = details(run('r1'), [5], ['conv2', 'conv1']);
    host.emit('run-epoch', { runId: 'r1', metrics: e5.metrics[0]!, snapshots: e5.snapshots });
    expect(s.selectedEpoch).toBe(5);
  });

  it('reads an overview of the steps and the log, then appends rows and lines as they arrive', async () => {
    host.handle('runs.get', () => details(run('r1', { status: 'running' }), [1, 2]));
    host.handle('runs.steps', () => ({ rows: stepRows([1, 2]), total: 8, next: null, downsampled: false }));
    host.handle('runs.logs', () => ({ lines: [{ seq: 1, time: '2026-11-27T18:00:00.000Z', level: 'info', message: 'Training on the wasm backend.' }], next: null }));
    const s = useRunDetailStore();
    await s.load('r1');
    await flush();
    expect(host.callsOf('runs.steps')).toEqual([{ runId: 'r1', maxPoints: 3000 }]);
    expect(s.steps.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.stepsPerEpoch).toBe(4);
    host.emit('run-steps', { runId: 'r1', rows: stepRows([3]).slice(0, 2) });
    host.emit('run-steps', { runId: 'r2', rows: stepRows([3]) });
    // A row seen twice (an event racing the overview) is kept once.
    host.emit('run-steps', { runId: 'r1', rows: stepRows([3]).slice(1, 3) });
    expect(s.steps.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(s.logs.map((l) => l.message)).toEqual(['Training on the wasm backend.']);
    host.emit('log', { runId: 'r1', level: 'warn', message: 'slow step', seq: 2, time: '2026-11-27T18:00:05.000Z' });
    host.emit('log', { runId: 'r1', level: 'warn', message: 'slow step', seq: 2, time: '2026-11-27T18:00:05.000Z' });
    host.emit('log', { runId: null, level: 'info', message: 'not this run' });
    expect(s.logs.map((l) => [l.seq, l.level, l.message])).toEqual([[1, 'info', 'Training on the wasm backend.'], [2, 'warn', 'slow step']]);
  });

  it('ignores other runs’ events and shows a failure with its reason', async () => {
    let current = details(run('r1', { status: 'running' }), [1]);
    host.handle('runs.get', () => current);
    const s = useRunDetailStore();
    await s.load('r1');
    const other = details(run('r2'), [2]);
    host.emit('run-epoch', { runId: 'r2', metrics: other.metrics[0]!, snapshots: other.snapshots });
    expect(s.metrics).toHaveLength(1);

    current = details(run('r1', { status: 'failed', error: 'The trainer process exited with code 3 before finishing.' }), [1]);
    host.emit('run-status', { runId: 'r1', status: 'failed', error: 'The trainer process exited with code 3 before finishing.' });
    expect(s.run?.status).toBe('failed');
    expect(s.isActive).toBe(false);
    await flush();
    expect(s.run?.error).toMatch(/exited with code 3/);
  });

  it('reports a failed action next to the buttons and keeps the page', async () => {
    host.handle('runs.get', () => details(run('r1', { status: 'completed' }), [1]));
    host.handle('runs.resume', () => {
      throw new Error('Run r1 is completed; only an interrupted, cancelled or failed run can be resumed.');
    });
    host.handle('runs.setTags', (p) => run('r1', { tags: p.tags as string[] }));
    const s = useRunDetailStore();
    await s.load('r1');
    expect(await s.resume()).toBe(false);
    expect(s.actionError).toMatch(/only an interrupted/);
    expect(s.run).not.toBeNull();
    expect(await s.setTags(['baseline'])).toBe(true);
    expect(s.run?.tags).toEqual(['baseline']);
    expect(s.actionError).toBeNull();
  });
});

describe('compare store', () => {
  it('diffs configs, lists layers, and plots runs and pruned children', async () => {
    const a = run('a', { name: 'ffr' });
    const b = run('b', { name: 'none', modelInfo: { params: 900, macs: 4000, widths: {} } });
    const child = run('c', { name: 'ffr-pruned', parentRunId: 'a', kind: 'finetune', modelInfo: { params: 300, macs: 1500, widths: {} } });
    const dA = { ...details(a, [1, 2]), children: [child] };
    host.handle('runs.compare', () => ({
      runs: [summary(a, 0.9), summary(b, 0.8)],
      configDiff: { regularizer: ['ffr', 'none'] },
      configs: [{ regularizer: 'ffr', epochs: 3 }, { regularizer: 'none', epochs: 3 }],
    }));
    host.handle('runs.get', (p) => (p.runId === 'a' ? dA : p.runId === 'b' ? details(b, [1, 2]) : details(child, [1])));
    const s = useCompareStore();
    await s.load(['a', 'b']);
    expect(s.configRows.map((r) => r.key)).toEqual(['regularizer']);
    s.onlyDifferences = false;
    expect(s.configRows.map((r) => [r.key, r.differs])).toEqual([['epochs', false], ['regularizer', true]]);
    expect(s.layerNames).toEqual(['conv1']);
    expect(s.scatter.map((p) => [p.id, p.kind, p.x])).toEqual([['a', 'run', 5000], ['b', 'run', 4000], ['c', 'pruned', 1500]]);
  });

  it('a comparison of one project\'s runs makes that project the current one, whichever was', async () => {
    const a = run('a', { projectId: 'p2' });
    const b = run('b', { projectId: 'p2' });
    host.handle('runs.compare', () => ({ runs: [summary(a, 0.9), summary(b, 0.8)], configDiff: {}, configs: [{}, {}] }));
    host.handle('runs.get', (p) => details(p.runId === 'a' ? a : b, [1]));
    const projects = useProjectsStore();
    projects.select('p1');
    await useCompareStore().load(['a', 'b']);
    expect(projects.currentId).toBe('p2');
  });

  it('needs two runs before asking the host', async () => {
    const s = useCompareStore();
    await s.load(['a']);
    expect(host.calls).toHaveLength(0);
    expect(s.result).toBeNull();
  });
});

describe('prune store', () => {
  it('starts the slider at the knee of the stored sweep and prunes there', async () => {
    const points = [
      { threshold: 0, params: 1000, macs: 5000, accuracy: 0.9, widths: { conv1: 6 } },
      { threshold: 0.01, params: 800, macs: 4000, accuracy: 0.895, widths: { conv1: 5 } },
      { threshold: 0.05, params: 500, macs: 2500, accuracy: 0.7, widths: { conv1: 3 } },
    ];
    host.handle('prune.sweeps', () => [{ sweepId: 's1', sourceRunId: 'r1', options: { criterion: 'activity', scope: 'layer', aggregate: 'max', minChannels: 1 }, points, reference: null, createdAt: 'x' }]);
    host.handle('prune.list', () => []);
    host.handle('export.list', () => []);
    host.handle('prune.run', () => {
      throw new Error('stop here');
    });
    const s = usePruneStore();
    await s.load('r1');
    expect(s.available).toBe(true);
    expect(s.mode).toBe('threshold');
    expect(s.point?.threshold).toBe(0.01);
    await s.pruneAndFinetune(2);
    expect(host.callsOf('prune.run')).toEqual([
      { runId: 'r1', options: { selection: { criterion: 'activity', scope: 'layer', aggregate: 'max', minChannels: 1, threshold: 0.01 }, finetuneEpochs: 2 } },
    ]);
    expect(s.actionError).toBe('stop here');
  });

  it('after Run sweep the slider sits at the knee against the unpruned reference; progress shows; an older sweep can be picked', async () => {
    const older = { sweepId: 's1', sourceRunId: 'r1', options: { criterion: 'activity', scope: 'layer', aggregate: 'max', minChannels: 1 }, reference: { split: 'val', accuracy: 0.9, images: 100 }, createdAt: 'a',
      points: [
        { threshold: 0, params: 1000, macs: 5000, accuracy: 0.9, widths: {} },
        { threshold: 0.1, params: 700, macs: 3000, accuracy: 0.89, widths: {} },
        { threshold: 0.2, params: 500, macs: 2000, accuracy: 0.6, widths: {} },
      ] };
    // The first point already lost half a point against the unpruned model.
    const fresh = { ...older, sweepId: 's2', createdAt: 'b', reference: { split: 'val', accuracy: 0.95, images: 100 },
      points: [
        { threshold: 0.5, params: 900, macs: 4500, accuracy: 0.938, widths: {} },
        { threshold: 0.2, params: 950, macs: 4800, accuracy: 0.945, widths: {} },
        { threshold: 0.9, params: 300, macs: 1000, accuracy: 0.93, widths: {} },
      ] };
    host.handle('prune.sweeps', () => [older]);
    host.handle('prune.list', () => []);
    host.handle('export.list', () => []);
    let release: () => void = () => {};
    host.handle('prune.sweep', async () => {
      host.emit('sweep-progress', { runId: 'r1', done: 1, total: 3 });
      await new Promise<void>((r) => (release = r));
      return fresh;
    });
    const s = usePruneStore();
    await s.load('r1');
    expect(s.point?.threshold).toBe(0.1);
    const sweeping = s.runSweep({ criterion: 'activity', scope: 'layer', mode: 'threshold', minChannels: 1 });
    await flush();
    expect(s.sweepProgress).toEqual({ done: 1, total: 3 });
    release();
    await sweeping;
    expect(s.sweepProgress).toBeNull();
    expect(s.sweep?.sweepId).toBe('s2');
    // Sorted by threshold: 0.2 (94.5), 0.5 (93.8 < 95 − 1): the knee is 0.2 (measured from the
    // first point instead, 0.5 would look within one point).
    expect(s.point?.threshold).toBe(0.2);
    s.selectSweep('s1');
    expect(s.sweep?.sweepId).toBe('s1');
    expect(s.point?.threshold).toBe(0.1);
    expect(s.sweeps.map((x) => x.sweepId)).toEqual(['s2', 's1']);
  });

  it('a host without the prune methods makes the view explain instead of failing', async () => {
    const s = usePruneStore();
    await s.load('r1');
    expect(s.available).toBe(false);
    expect(s.error).toBeNull();
  });
});

describe('studies store', () => {
  const report = (status: string, done: number) => ({
    studyId: 'stu-1', name: 's', projectId: null, status, error: null, createdAt: 'a', updatedAt: 'b', groups: [], points: [],
    progress: { done, failed: 0, total: 2 },
    spec: { base: {}, grid: [{ regularizer: 'none', variant: null, lambdas: [null] }], seeds: [1, 2], prune: { kind: 'macs', fraction: 0.5 }, finetuneEpochs: 1, criterion: null },
  });

  it('creates a study (the default project when none is selected) and follows it through study-progress events', async () => {
    let state = report('running', 0);
    host.handle('studies.create', () => state);
    host.handle('studies.get', () => state);
    const s = useStudiesStore();
    const id = await s.create({ projectId: null, base: { model: 'mlp' }, grid: 'none', seeds: [1, 2], prune: 'macs=0.5', finetuneEpochs: 1 });
    expect(id).toBe('stu-1');
    expect(host.callsOf('studies.create')).toEqual([{ base: { model: 'mlp' }, grid: 'none', seeds: [1, 2], prune: 'macs=0.5', finetuneEpochs: 1 }]);
    await s.load('stu-1');
    state = report('running', 1);
    host.emit('study-progress', { studyId: 'stu-1', status: 'running', done: 1, failed: 0, total: 2, point: { index: 0, state: 'done', runId: 'run-a' } });
    await flush();
    expect(s.current?.progress.done).toBe(1);
    host.emit('study-progress', { studyId: 'stu-1', status: 'running', done: 1, failed: 0, total: 2, point: { index: 1, state: 'training', runId: 'run-b' } });
    await flush();
    expect(s.activeRunId).toBe('run-b');
  });

  it('says why a study was refused', async () => {
    host.handle('studies.create', () => {
      throw new ApiError('The grid entry "x=1": "x" is not a regularizer (ffr, l1, group-lasso, slimming, none).', 'invalid-input', 400);
    });
    const s = useStudiesStore();
    expect(await s.create({ projectId: 'p1', base: {}, grid: 'x=1', seeds: [1], prune: 'macs=0.5', finetuneEpochs: 0 })).toBeNull();
    expect(s.actionError).toMatch(/is not a regularizer/);
  });
});

describe('datasets store', () => {
  it('opening a dataset is one call, so the host reads it once for its description and its samples', async () => {
    const entry = { id: 'builtin:mnist', projectId: null, name: 'MNIST', kind: 'mnist', dataDir: null, shape: [28, 28, 1], classes: 10, classNames: [], trainCount: 8000, testCount: 2000, createdAt: 'T', builtin: true, ref: { name: 'mnist' } };
    const description = { dataset: 'mnist', shape: [28, 28, 1], classes: 10, classNames: [], train: 8000, val: 0, test: 2000, classCounts: { train: [], val: [], test: [] }, source: 'bundled' };
    host.handle('datasets.list', () => [entry]);
    host.handle('datasets.inspect', (p) => ({ description, samples: { datasetId: p.datasetId, split: 'train', classNames: [], samples: [] } }));
    const s = useDatasetsStore();
    await s.load(null);
    await flush();
    expect(host.calls.map((c) => c.method)).toEqual(['datasets.list', 'datasets.inspect']);
    expect(host.callsOf('datasets.inspect')).toEqual([{ datasetId: 'builtin:mnist', ...DATASET_GRID_SAMPLES }]);
    expect(s.description?.train).toBe(8000);
    expect(s.samples?.datasetId).toBe('builtin:mnist');
  });
});
