/**
 * runs.get stays bounded (issue: it grew ~128 KB per epoch for ResNet-20): a ResNet-56-sized run
 * (55 prunable layers of 16–64 channels with their per-channel measures) recorded for 200 and for
 * 1,000 epochs, with 50 step rows an epoch. The page's first read stays under a fixed size and
 * hardly grows with the epochs; snapshots and steps come in bounded pieces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_GRID_EPOCHS, MAX_SNAPSHOT_ROWS } from '../shared/contract';
import type { LayerSnapshot } from '../shared/metrics';
import { defaultRunConfig } from '../shared/run-config';
import { metrics, stats, stepRows } from '../store/testing/fixtures';
import { createApi, type Api } from './api';
import { testApp, type TestApp } from './testing/host';

/** ResNet-56's prunable layers: the stem and 27 blocks × 2 convolutions, 16/32/64 channels by stage. */
function resnet56Layers(epoch: number): LayerSnapshot[] {
  const layers: LayerSnapshot[] = [];
  const add = (name: string, channels: number) => {
    const values = Array.from({ length: channels }, (_, c) => ((c * 7919 + epoch * 31) % 1000) / 1000);
    const s = { ...stats(values), histogram: { edges: Array.from({ length: 21 }, (_, i) => i / 20), counts: Array.from({ length: 20 }, (_, i) => values.filter((v) => Math.floor(v * 20) === i).length) } };
    layers.push({
      layer: name, kind: 'conv', channels, structuredSparsity: 0.25, structuredMeasure: 'spread', gammaSparsity: 0.1, normSparsity: 0, unstructuredSparsity: 0.01, spread: s,
      segmentLength: 1.234567, turningAngle: 0.345678, activity: s, gamma: s, filterNorm: s,
    });
  };
  add('stem', 16);
  for (const [stage, ch] of [[1, 16], [2, 32], [3, 64]] as const) for (let b = 0; b < 9; b++) for (const c of [1, 2]) add(`s${stage}.b${b}.conv${c}`, ch);
  return layers;
}

let app: TestApp;
let api: Api;
const runs: Record<number, string> = {};

beforeAll(() => {
  app = testApp();
  api = createApi(app, { shell: 'test', backendStatuses: async () => [] });
  for (const epochs of [10, 200, 1000]) {
    const run = app.store.runs.create({ projectId: null, kind: 'train', config: defaultRunConfig({ model: 'resnet56', epochs }) });
    for (let e = 1; e <= epochs; e++) app.store.runs.recordEpoch(run.id, { metrics: metrics(e), snapshots: resnet56Layers(e) }, stepRows(e, 50));
    runs[epochs] = run.id;
  }
}, 300_000);
afterAll(async () => {
  api.dispose();
  await app.cleanup();
});

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('bounded run reads', () => {
  it('runs.get of a long ResNet-56 run stays under 400 KB and grows only by its metrics rows', async () => {
    const sizes: Record<number, number> = {};
    for (const epochs of [10, 200, 1000]) {
      const d = await api.call('runs.get', { runId: runs[epochs]! });
      sizes[epochs] = bytes(d);
      expect(d.snapshots).toHaveLength(55);
      expect(d.sparsity.layers).toHaveLength(55);
      expect(d.sparsity.epochs.length).toBe(Math.min(epochs, MAX_GRID_EPOCHS));
      expect(d.sparsity.epochs.at(-1)).toBe(epochs);
      expect(d.sparsity.epochCount).toBe(epochs);
      expect(d.steps).toEqual({ count: epochs * 50, first: 1, last: epochs * 50 });
    }
    // One epoch's snapshots of all 55 layers is the bulk; what grows is one metrics row per epoch.
    const perEpochGrowth = (sizes[1000]! - sizes[200]!) / 800;
    expect(perEpochGrowth).toBeLessThan(400);
    expect(sizes[200]!).toBeLessThan(400_000);
    expect(sizes[1000]!).toBeLessThan(700_000);
    // What every snapshot would have been (the old runs.get): far beyond.
    const all = app.store.snapshots.list(runs[200]!);
    expect(bytes(all)).toBeGreaterThan(20 * sizes[200]!);
    console.log(`runs.get bytes: 10 epochs ${sizes[10]}, 200 epochs ${sizes[200]}, 1000 epochs ${sizes[1000]}; all snapshots of 200 epochs ${bytes(all)}`);
  });

  it('snapshots come by epoch or a layer’s history, refused past the limit with the size named', async () => {
    const id = runs[1000]!;
    expect(await api.call('runs.snapshots', { runId: id, epoch: 7 })).toHaveLength(55);
    expect((await api.call('runs.snapshots', { runId: id, layers: ['stem'], fromEpoch: 1, toEpoch: 1000 })).map((s) => s.epoch)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const refused = await api.dispatch('runs.snapshots', { runId: id, fromEpoch: 1, toEpoch: 100 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', message: `That asks for 5500 layer snapshots (55 layers × 100 epochs); ask for at most ${MAX_SNAPSHOT_ROWS} at once (fewer layers or a shorter epoch range).` } });
  });

  it('steps come in pages or as an overview of at most maxPoints', async () => {
    const id = runs[1000]!;
    const overview = await api.call('runs.steps', { runId: id, maxPoints: 1000 });
    expect(overview.rows.length).toBeLessThanOrEqual(1000);
    expect(overview).toMatchObject({ total: 50_000, downsampled: true, next: null });
    expect(bytes(overview)).toBeLessThan(400_000);
    let after = 0;
    let pages = 0;
    for (;;) {
      const p = await api.call('runs.steps', { runId: id, afterStep: after, limit: 5000 });
      pages++;
      expect(bytes(p)).toBeLessThan(2_000_000);
      if (p.next === null) {
        expect(p.rows.at(-1)!.step).toBe(50_000);
        break;
      }
      after = p.next;
    }
    expect(pages).toBe(10);
  });
});
