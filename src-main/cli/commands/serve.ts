/**
 * `ffr serve`: the workbench in a browser. Same services as the desktop app, over HTTP + WebSocket
 * on 127.0.0.1, protected by a random token carried in the URL it prints.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../../services/app';
import { createApi } from '../../services/api';
import { startServer } from '../../server/http-server';
import { checkBindHost } from '../../server/security';
import { ensureRendererBuilt } from '../../server/renderer-build';
import { defaultRendererDir, rendererBuilt } from '../../server/static';
import { numberOption } from '../options';
import { info, printJson } from '../output';

interface ServeFlags {
  port: number;
  host: string;
  allowRemote?: boolean;
  rendererDir?: string;
  concurrency: number;
  token?: string;
  open?: boolean;
  json?: boolean;
}

/** Opens a URL in the desktop's browser; failing to is not an error (the URL is printed). */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => info(`Could not open a browser (${cmd}); open the URL above yourself.`));
    child.unref();
  } catch {
    info('Could not open a browser; open the URL above yourself.');
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench UI and API to a browser (127.0.0.1, token-protected)')
    .option('--port <n>', 'port to listen on (0: any free port)', numberOption('--port', { integer: true, min: 0, max: 65535 }), 4178)
    .option('--host <address>', 'address to bind (non-loopback needs --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow binding a non-loopback address (anyone with the URL gets full access)')
    .option('--renderer-dir <dir>', 'built renderer to serve as it is (default: out/renderer, built first when missing or older than its sources)')
    .option('--concurrency <n>', 'training runs at once', numberOption('--concurrency', { integer: true, min: 1, max: 64 }), 1)
    .option('--token <token>', 'use this access token instead of a random one (at least 16 characters)')
    .option('--open', 'open the URL in the default browser')
    .option('--json', 'print {url, port, token} as one JSON document on stdout once listening')
    .action(async (o: ServeFlags) => {
      // Checked before the store is opened, so a refused host leaves nothing behind.
      checkBindHost(o.host, o.allowRemote ?? false);
      if (o.token !== undefined && !/^[A-Za-z0-9_-]{16,200}$/.test(o.token)) {
        throw new Error('--token must be 16 to 200 letters, digits, "-" or "_".');
      }
      const rendererDir = path.resolve(o.rendererDir ?? process.env.FFR_RENDERER_DIR ?? defaultRendererDir());
      // A checkout's own UI is built when missing or older than its sources; a folder given with
      // --renderer-dir is served as it is.
      if (o.rendererDir === undefined) {
        const built = ensureRendererBuilt(rendererDir, { log: info });
        if (built.error) info(built.error);
      }
      const app = createApp({ concurrency: o.concurrency, pickUpSlurmJobs: true });
      const interrupted = app.store.recovered;
      const api = createApi(app, { shell: 'serve' });
      let server;
      try {
        server = await startServer({
          api,
          host: o.host,
          port: o.port,
          rendererDir,
          allowRemote: o.allowRemote ?? false,
          ...(o.token ? { token: o.token } : {}),
          // The client got a 500 and the server goes on; the stack is for whoever reads the log.
          onError: (e, where) => info(`ffr serve: a ${where} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
        });
      } catch (e) {
        api.dispose();
        await app.close();
        throw e;
      }
      if (interrupted.length > 0) info(`${interrupted.length} run(s) left running by a previous session are now interrupted and can be resumed.`);
      if (!rendererBuilt(rendererDir)) info(`The UI is not built (no ${path.join(rendererDir, 'index.html')}); run \`npm run build\` first. The API works meanwhile.`);
      info(`FFR Workbench at ${server.openUrl}\n  data directory: ${app.paths.home}\n  Ctrl+C stops (running trainings are cancelled and can be resumed).`);
      if (o.json) printJson({ url: server.openUrl, port: server.port, host: server.host, token: server.token });
      api.warmUp();
      if (o.open) openBrowser(server.openUrl);

      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          info(`${signal}: stopping; cancelling running trainings…`);
          void (async () => {
            await server.close();
            api.dispose();
            await app.close();
            resolve();
          })();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
