import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../shared/run-config';
import { epochRecord } from '../testing/fixtures';
import { type TestStore, openTestStore } from '../testing/open';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

describe('projects', () => {
  it('creates, lists with counts, renames and refuses duplicate names (ignoring case)', () => {
    const a = t.store.projects.create({ name: '  VGG sweeps ' });
    expect(a).toMatchObject({ name: 'VGG sweeps', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(a.id).toMatch(/^prj-[0-9a-z]{6}$/);
    expect(() => t.store.projects.create({ name: 'vgg SWEEPS' })).toThrow('A project named "vgg SWEEPS" already exists.');
    const b = t.store.projects.create({ name: 'ResNets' });
    t.store.runs.create({ projectId: b.id, kind: 'train', config: defaultRunConfig() });
    t.store.runs.create({ projectId: b.id, kind: 'train', config: defaultRunConfig() });
    expect(t.store.projects.list().map((p) => [p.name, p.runCount, p.datasetCount])).toEqual([
      ['VGG sweeps', 0, 0],
      ['ResNets', 2, 0],
    ]);
    t.advance(1000);
    expect(t.store.projects.rename(b.id, 'CIFAR ResNets')).toMatchObject({
      name: 'CIFAR ResNets',
      updatedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(() => t.store.projects.rename(b.id, 'VGG Sweeps')).toThrow('A project named "VGG Sweeps" already exists.');
    expect(() => t.store.projects.rename('prj-zzzzzz', 'x')).toThrow('Unknown project "prj-zzzzzz".');
    expect(() => t.store.projects.create({ name: '' })).toThrow(/^Invalid project name: /);
  });

  it('getOrCreateDefault returns the same "Default" project every time', () => {
    const first = t.store.projects.getOrCreateDefault();
    expect(first.name).toBe('Default');
    expect(t.store.projects.getOrCreateDefault()).toEqual(first);
    expect(t.store.projects.list()).toHaveLength(1);
  });

  it('deletes a project with its datasets, runs and their records (cascade)', () => {
    const p = t.store.projects.create({ name: 'Doomed' });
    const keep = t.store.projects.create({ name: 'Kept' });
    t.store.datasets.create({ projectId: p.id, name: 'digits', kind: 'mnist', shape: [28, 28, 1], classes: 10, trainCount: 60000, testCount: 10000 });
    const run = t.store.runs.create({ projectId: p.id, kind: 'train', config: defaultRunConfig() });
    t.store.runs.recordEpoch(run.id, epochRecord(1));
    const kept = t.store.runs.create({ projectId: keep.id, kind: 'train', config: defaultRunConfig() });

    t.store.runs.markRunning(run.id, { backend: 'cpu' });
    expect(() => t.store.projects.delete(p.id)).toThrow(`Project "${p.id}" has a running run ("${run.id}"); cancel it before deleting the project.`);
    t.store.runs.markFinished(run.id, 'cancelled');

    t.store.projects.delete(p.id);
    expect(t.store.projects.get(p.id)).toBeNull();
    expect(t.store.runs.get(run.id)).toBeNull();
    expect(t.store.datasets.list()).toEqual([]);
    expect(t.store.db.prepare('SELECT COUNT(*) AS n FROM metrics').get()).toEqual({ n: 0 });
    expect(t.store.db.prepare('SELECT COUNT(*) AS n FROM layer_snapshots').get()).toEqual({ n: 0 });
    expect(t.store.runs.require(kept.id).projectId).toBe(keep.id);
    expect(() => t.store.projects.delete(p.id)).toThrow(`Unknown project "${p.id}".`);
  });
});

describe('datasets', () => {
  it('creates with default class names, lists per project (plus global ones) and deletes', () => {
    const p = t.store.projects.create({ name: 'P' });
    const global = t.store.datasets.create({ name: 'noise', kind: 'synthetic', shape: [8, 8, 3], classes: 3, trainCount: 100, testCount: 20 });
    expect(global).toMatchObject({ projectId: null, dataDir: null, classNames: ['0', '1', '2'], shape: [8, 8, 3] });
    expect(global.id).toMatch(/^ds-[0-9a-z]{6}$/);
    const cats = t.store.datasets.create({
      projectId: p.id,
      name: 'pets',
      kind: 'folder',
      dataDir: '/data/pets',
      shape: [32, 32, 3],
      classes: 2,
      classNames: ['cat', 'dog'],
      trainCount: 80,
      testCount: 20,
    });
    expect(t.store.datasets.require(cats.id)).toEqual(cats);
    expect(t.store.datasets.list(p.id).map((d) => d.name)).toEqual(['noise', 'pets']);
    expect(t.store.datasets.list().map((d) => d.name)).toEqual(['noise', 'pets']);
    t.store.datasets.delete(cats.id);
    expect(t.store.datasets.get(cats.id)).toBeNull();
    expect(() => t.store.datasets.delete(cats.id)).toThrow(`Unknown dataset "${cats.id}".`);
  });

  it('rejects inconsistent input with one sentence', () => {
    expect(() =>
      t.store.datasets.create({ name: 'x', kind: 'folder', shape: [8, 8, 3], classes: 3, classNames: ['a'], trainCount: 1, testCount: 1 }),
    ).toThrow('Invalid dataset "x": it has 3 classes but 1 class names.');
    expect(() =>
      t.store.datasets.create({ name: 'x', kind: 'imagenet' as 'folder', shape: [8, 8, 3], classes: 3, trainCount: 1, testCount: 1 }),
    ).toThrow(/^Invalid dataset: kind: /);
    expect(() =>
      t.store.datasets.create({ projectId: 'prj-zzzzzz', name: 'x', kind: 'mnist', shape: [28, 28, 1], classes: 10, trainCount: 1, testCount: 1 }),
    ).toThrow('Unknown project "prj-zzzzzz".');
  });
});
