// Process-level check that a host process never loaded tfjs, nor code that decodes images. Loaded with
// `NODE_OPTIONS=--import=<this file>` and FFR_HOST_PROBE_DIR set; at exit it writes
// <dir>/<pid>.json with what the process had loaded. Used by the host-without-tfjs test and by
// bench/serve_startup.ts. Trainer processes inherit NODE_OPTIONS and write their own file (they
// do load tfjs; only the host's file is checked).
//
// Two independent signs of tfjs: its engine global (`globalThis._tfengine`, created when
// @tensorflow/tfjs-core is evaluated) and any module of an @tensorflow package in the CommonJS
// cache (tfjs's Node builds are CommonJS, so importing them from ESM goes through that cache).
// The image codecs (pngjs, jpeg-js) are in that cache too when a dataset's images were decoded, and
// so is Dawn's native binding (node_modules/webgpu/dist/<platform>/dawn.node) once WebGPU was probed,
// and the oneDNN addon (native/onednn/build/Release/ffr_onednn.node)
// once the onednn backend was probed.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.env.FFR_HOST_PROBE_DIR;
if (dir) {
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const cached = Object.keys(require.cache);
    const report = {
      pid: process.pid,
      argv: process.argv.slice(1),
      tfEngine: Object.prototype.hasOwnProperty.call(globalThis, '_tfengine'),
      tensorflowModules: cached.filter((k) => k.includes(`${path.sep}@tensorflow${path.sep}`)),
      imageCodecModules: cached.filter((k) => /[\\/]node_modules[\\/](pngjs|jpeg-js)[\\/]/.test(k)),
      gpuModules: cached.filter((k) => /[\\/]node_modules[\\/]webgpu[\\/]/.test(k)),
      onednnModules: cached.filter((k) => /ffr_onednn\.node$/.test(k)),
      commonJsModules: cached.length,
      rssBytes: process.memoryUsage().rss,
    };
    fs.writeFileSync(path.join(dir, `${process.pid}.json`), `${JSON.stringify(report, null, 2)}\n`);
  });
}
