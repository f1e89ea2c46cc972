/**
 * Electron main: lifecycle, the window and IPC registration. Everything else is the same service
 * layer `ffr serve` and the CLI use (services/), reached through the contract dispatcher.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BrowserWindow, app, dialog, ipcMain, session, shell, utilityProcess } from 'electron';
import { createApi, type Api } from './services/api';
import { createApp, type App } from './services/app';
import { resolveHome } from './services/home';
import { hardenContents, hardenSession } from './electron/harden';
import { forwardEvents, registerApiIpc } from './electron/ipc';
import { bindingCandidates, findBinding, sqliteLoadHelp } from './electron/native';
import { appLocation, isTrustedSender, windowOptions } from './electron/security';
import { utilityTrainerLauncher, type UtilityFork } from './electron/utility-launcher';

// out/main/index.js → out/main, out/preload, out/renderer; the checkout root is two levels up.
const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(here, '..', '..');
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');
const indexHtml = path.join(here, '..', 'renderer', 'index.html');
const trainerEntry = path.join(here, 'trainer.js');
const location = appLocation(process.env.ELECTRON_RENDERER_URL, pathToFileURL(indexHtml).toString());

const log = (message: string): void => {
  process.stderr.write(`[ffr] ${message}\n`);
};

// Every renderer sandboxed, whatever a window's options say.
app.enableSandbox();

let services: { app: App; api: Api; stopEvents: () => void; stopIpc: () => void } | null = null;
let mainWindow: BrowserWindow | null = null;

const forkUtility: UtilityFork = (entry, args, options) => utilityProcess.fork(entry, args, options);

function openServices(): NonNullable<typeof services> {
  const paths = resolveHome(app.getPath('userData'));
  const binding = findBinding(bindingCandidates(appRoot, process.resourcesPath));
  let ffr: App;
  try {
    ffr = createApp({
      paths,
      launcher: utilityTrainerLauncher(forkUtility, trainerEntry),
      ...(binding ? { nativeBinding: binding } : {}),
      pickUpSlurmJobs: true,
    });
  } catch (e) {
    throw new Error(sqliteLoadHelp(e, process.versions.electron ?? 'unknown', binding));
  }
  const api = createApi(ffr, {
    shell: 'electron',
    // Export folders open in the desktop's file manager (shell.openPath answers "" or the reason).
    openFolder: async (dir) => {
      const failed = await shell.openPath(dir);
      if (failed) throw new Error(`The folder ${dir} could not be opened: ${failed}`);
    },
  });
  const stopIpc = registerApiIpc(ipcMain, api, (frame) => isTrustedSender(frame, location), log);
  const stopEvents = forwardEvents(api, () => BrowserWindow.getAllWindows().map((w) => w.webContents));
  return { app: ffr, api, stopEvents, stopIpc };
}

function createWindow(): void {
  const win = new BrowserWindow(windowOptions(preloadPath));
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  if (location.kind === 'dev') void win.loadURL(process.env.ELECTRON_RENDERER_URL!);
  else void win.loadFile(indexHtml);
}

// One instance per data directory: a second start focuses the first window.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  // Every web contents, including any the page might try to create, gets the navigation rules.
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, log));

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession, location);
      services = openServices();
      createWindow();
      services.api.warmUp();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createWindow();
      });
    })
    .catch((e: unknown) => {
      dialog.showErrorBox('FFR Workbench cannot start', e instanceof Error ? e.message : String(e));
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quit waits for the trainers: running runs are cancelled (resumable) and the store closed.
  let shutdown: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    if (!services) return;
    event.preventDefault();
    shutdown ??= (async () => {
      const s = services!;
      s.stopIpc();
      s.stopEvents();
      s.api.dispose();
      await s.app.close();
      services = null;
    })()
      .catch((e: unknown) => log(`Shutdown failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => app.quit());
  });
}
