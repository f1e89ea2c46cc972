/**
 * `app.info`: version, data directory, compute backends and runtime versions. The backend probe
 * loads tfjs (and tries tfjs-node and Dawn), so it runs as a tool job in a trainer process, once
 * per host (backend-probe.ts).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { autoBackend } from '../shared/backends';
import type { AppInfo, BackendStatus } from '../shared/contract';
import { VERSION } from '../shared/version';
import { probeBackends } from './backend-probe';
import type { HomePaths } from './home';
import type { ToolRunner } from './tools';

const requireHere = createRequire(import.meta.url);

/**
 * A package's version, read from its package.json as a plain file: requiring it would put
 * tfjs's package.json in the module cache, where the host-without-tfjs check looks for tfjs.
 */
function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(requireHere.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export interface AppInfoOptions {
  shell: AppInfo['shell'];
  paths: HomePaths;
  concurrency: number;
  /** Overrides the probe (tests that do not need a trainer). */
  backendStatuses?: () => Promise<BackendStatus[]>;
  /** Extra version strings (Electron adds its own). */
  versions?: Record<string, string>;
}

export class AppInfoService {
  private backends: Promise<BackendStatus[]> | undefined;

  constructor(
    private readonly tools: ToolRunner,
    private readonly options: AppInfoOptions,
  ) {}

  /**
   * Starts the probe in the background (a shell calls this once it is up), so the first look at
   * the backends does not wait for a trainer to start. A failure shows up, and is retried, on the
   * next info().
   */
  warmUp(): void {
    this.probe().catch(() => {});
  }

  /** Probed once; a failed probe is tried again on the next call. */
  private probe(): Promise<BackendStatus[]> {
    this.backends ??= (this.options.backendStatuses ?? (async () => (await probeBackends(this.tools)).backends))();
    this.backends.catch(() => (this.backends = undefined));
    return this.backends;
  }

  async info(): Promise<AppInfo> {
    const backends = await this.probe();
    const versions: Record<string, string> = { node: process.versions.node, platform: `${process.platform}-${process.arch}` };
    for (const [key, pkg] of [
      ['tfjs', '@tensorflow/tfjs'],
      ['tfjs-backend-webgpu', '@tensorflow/tfjs-backend-webgpu'],
      ['dawn (webgpu)', 'webgpu'],
      ['better-sqlite3', 'better-sqlite3'],
      ['zod', 'zod'],
    ] as const) {
      const v = packageVersion(pkg);
      if (v) versions[key] = v;
    }
    if (process.versions.electron) versions.electron = process.versions.electron;
    if (process.versions.chrome) versions.chrome = process.versions.chrome;
    Object.assign(versions, this.options.versions ?? {});
    return {
      version: VERSION,
      shell: this.options.shell,
      home: this.options.paths.home,
      database: this.options.paths.database,
      backends,
      // `auto` passes a software WebGPU adapter by (shared/backends.ts), as the trainer does.
      selectedBackend: autoBackend(backends),
      versions,
      concurrency: this.options.concurrency,
    };
  }
}
