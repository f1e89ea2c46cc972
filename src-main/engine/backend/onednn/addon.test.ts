/**
 * What the onednn backend reports when its addon is missing or broken (what `ffr info` prints), in
 * child processes so the module-level load of this worker is not disturbed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { installHint } from './addon';

const root = path.resolve(__dirname, '../../../..');

function statusWith(env: Record<string, string>): { name: string; available: boolean; reason?: string; detail?: string } {
  const script = "const m = await import('./src-main/engine/backend/select.ts'); const s = await m.backendStatuses(); console.log(JSON.stringify(s.find((b) => b.name === 'onednn')));";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('onednn addon status', () => {
  it('names the missing file and the install command when the addon is not built', () => {
    const s = statusWith({ FFR_ONEDNN_ADDON: path.join(os.tmpdir(), 'no-such-dir', 'ffr_onednn.node') });
    expect(s.available).toBe(false);
    expect(s.reason).toMatch(/no-such-dir/);
    expect(s.reason).toContain(installHint());
  });

  it('says the addon did not load when the file is not a loadable library', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffr-onednn-'));
    const bogus = path.join(dir, 'ffr_onednn.node');
    fs.writeFileSync(bogus, 'not a shared object');
    try {
      const s = statusWith({ FFR_ONEDNN_ADDON: bogus });
      expect(s.available).toBe(false);
      expect(s.reason).toMatch(/^the oneDNN addon did not load \(.+\); /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the install command for Debian/Ubuntu, macOS and Windows', () => {
    expect(installHint('linux')).toContain('apt-get install build-essential python3 libdnnl-dev');
    expect(installHint('darwin')).toContain('brew install onednn');
    expect(installHint('win32')).toMatch(/Visual Studio Build Tools.*vcpkg install onednn/);
    for (const p of ['linux', 'darwin', 'win32'] as const) expect(installHint(p)).toContain('npm run build:onednn');
  });
});
