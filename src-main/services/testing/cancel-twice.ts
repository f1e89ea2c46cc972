/**
 * A host that cancels its run twice, as `ffr train` does on Ctrl-C (once from the SIGINT handler,
 * once from the shutdown that follows), then closes and lets the process end by itself (used by
 * jobs.test.ts). The grace period before a kill is 60 s, so a kill timer left behind would keep this
 * process alive for a minute after "closed".
 *
 * Usage: node --import tsx cancel-twice.ts <data dir>
 */
import { createApp } from '../app';
import { homePaths } from '../home';
import { nodeTrainerLauncher } from '../trainer-launcher';
import { tinyRunConfig, waitFor } from './host';

const [dir] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: cancel-twice.ts <data dir>\n');
  process.exit(2);
}
const app = createApp({ paths: homePaths(dir), launcher: nodeTrainerLauncher(), cancelGraceMs: 60_000 });
const run = await app.runs.create({ config: tinyRunConfig({ epochs: 500 }) });
let stepped = false;
app.jobs.on('run-progress', () => (stepped = true));
const outcome = app.runs.start(run.id);
await waitFor(() => stepped, 'training progress');
app.runs.cancel(run.id);
app.runs.cancel(run.id);
process.stdout.write(`${JSON.stringify(await outcome)}\n`);
await app.close();
process.stdout.write('closed\n');
