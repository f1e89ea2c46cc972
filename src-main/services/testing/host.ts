/**
 * Test helpers for the host: an App over a fresh temporary data directory with real trainer
 * processes (optionally with the trainer's fault-injection env), and a tiny synthetic run config
 * that trains in about a second on the cpu backend. Used by *.test.ts only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeRunConfig } from '../../shared/run-config';
import { createApp, type App } from '../app';
import { homePaths, type HomePaths } from '../home';
import { nodeTrainerLauncher, type TrainerLauncher } from '../trainer-launcher';

export function tempPaths(prefix = 'ffr-host-'): HomePaths {
  return homePaths(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export interface TestAppOptions {
  /** Environment for every trainer (FFR_TRAINER_CRASH_AFTER_EPOCH, FFR_TRAINER_IGNORE_CANCEL). */
  trainerEnv?: Record<string, string>;
  concurrency?: number;
  cancelGraceMs?: number;
}

export interface TestApp extends App {
  /** Trainer processes started so far (training runs and tool jobs). */
  readonly launches: number;
  cleanup(): Promise<void>;
}

export function testApp(o: TestAppOptions = {}): TestApp {
  const paths = tempPaths();
  const launch = nodeTrainerLauncher(o.trainerEnv ? { env: o.trainerEnv } : {});
  let launches = 0;
  const counting: TrainerLauncher = () => {
    launches++;
    return launch();
  };
  const app = createApp({
    paths,
    launcher: counting,
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    ...(o.cancelGraceMs !== undefined ? { cancelGraceMs: o.cancelGraceMs } : {}),
  });
  const test = Object.assign(app, {
    async cleanup() {
      await app.close();
      fs.rmSync(paths.home, { recursive: true, force: true });
    },
  });
  // A getter (Object.assign would copy today's count once).
  return Object.defineProperty(test, 'launches', { get: () => launches }) as TestApp;
}

/** The tiny synthetic setup of the host tests: 8×8×1, 3 classes, 64/32 images, an MLP on cpu. */
export function tinyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'mlp',
    dataset: { name: 'synthetic', shape: [8, 8, 1], classes: 3, trainSize: 64, testSize: 32 },
    epochs: 2,
    batchSize: 16,
    probeSize: 16,
    backend: 'cpu',
    ...overrides,
  };
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` with `what` in the message. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** tinyConfig completed with the defaults (every field present, as stored). */
export function tinyRunConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return completeRunConfig(tinyConfig(overrides));
}
