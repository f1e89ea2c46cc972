/**
 * The Electron shell without an Electron binary: window options, sender checks, the IPC bridge, the
 * utilityProcess launcher (against a fake fork), the native-binding lookup and the preload's
 * exposed surface (against a mocked `electron` module).
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type EventFrame, type IpcReply } from '../shared/contract';
import type { DispatchReply } from '../services/api';
import { forwardEvents, registerApiIpc, type InvokeEventLike } from './ipc';
import { bindingCandidates, findBinding, sqliteLoadHelp } from './native';
import { RENDERER_CSP, allowNavigation, appLocation, isAppUrl, isTrustedSender, windowOptions } from './security';
import { utilityTrainerLauncher, type UtilityForkOptions, type UtilityProcessLike } from './utility-launcher';

const fileLoc = appLocation(undefined, 'file:///opt/ffr/out/renderer/index.html');
const devLoc = appLocation('http://localhost:5173/', 'file:///unused');

describe('window options', () => {
  it('isolate the renderer from Node and Electron', () => {
    const w = windowOptions('/opt/ffr/out/preload/index.cjs').webPreferences!;
    expect(w).toMatchObject({
      preload: '/opt/ffr/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('has a CSP that allows only the app’s own scripts', () => {
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).toContain("object-src 'none'");
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval/);
  });
});

describe('sender and navigation checks', () => {
  it('recognizes only the app’s own page', () => {
    expect(isAppUrl('file:///opt/ffr/out/renderer/index.html', fileLoc)).toBe(true);
    expect(isAppUrl('file:///opt/ffr/out/renderer/index.html#/runs/abc', fileLoc)).toBe(true);
    expect(isAppUrl('file:///tmp/evil.html', fileLoc)).toBe(false);
    expect(isAppUrl('https://example.com/', fileLoc)).toBe(false);
    expect(isAppUrl('http://localhost:5173/#/runs', devLoc)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', devLoc)).toBe(false);
    expect(isAppUrl('not a url', fileLoc)).toBe(false);
    expect(isAppUrl(undefined, fileLoc)).toBe(false);
  });

  it('trusts only the app’s top-level frame', () => {
    const url = 'file:///opt/ffr/out/renderer/index.html';
    expect(isTrustedSender({ url, parent: null }, fileLoc)).toBe(true);
    expect(isTrustedSender({ url, parent: { url } }, fileLoc)).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null }, fileLoc)).toBe(false);
    expect(isTrustedSender(null, fileLoc)).toBe(false);
  });

  it('denies every navigation of the document', () => {
    expect(allowNavigation('https://example.com/')).toBe(false);
    expect(allowNavigation('file:///opt/ffr/out/renderer/index.html')).toBe(false);
  });
});

describe('IPC bridge', () => {
  function fakeIpc() {
    const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<IpcReply>>();
    return {
      handlers,
      handle: (channel: string, l: (event: InvokeEventLike, ...args: unknown[]) => Promise<IpcReply>) => void handlers.set(channel, l),
      removeHandler: (channel: string) => void handlers.delete(channel),
    };
  }
  const trusted = { senderFrame: { url: 'file:///opt/ffr/out/renderer/index.html', parent: null } };

  it('dispatches calls from the app’s frame and refuses others', async () => {
    const ipc = fakeIpc();
    const calls: Array<[string, unknown]> = [];
    const api = {
      dispatch: async (method: string, params: unknown): Promise<DispatchReply> => {
        calls.push([method, params]);
        return { ok: true, result: { ok: true } };
      },
    };
    const refused: string[] = [];
    const stop = registerApiIpc(ipc, api, (f) => isTrustedSender(f, fileLoc), (m) => refused.push(m));
    const handler = ipc.handlers.get(IPC_CALL_CHANNEL)!;
    expect(await handler(trusted, 'app.ping', {})).toEqual({ ok: true, result: { ok: true } });
    expect(calls).toEqual([['app.ping', {}]]);
    const evil = await handler({ senderFrame: { url: 'https://example.com/', parent: null } }, 'projects.delete', { projectId: 'p' });
    expect(evil).toEqual({ ok: false, error: { code: 'forbidden', message: 'This page is not allowed to use the workbench API.' } });
    expect(refused).toEqual(['Refused an API call from https://example.com/.']);
    expect(await handler(trusted, 42, {})).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(calls).toHaveLength(1);
    stop();
    expect(ipc.handlers.size).toBe(0);
  });

  it('forwards events to live windows only', () => {
    let listener: ((f: EventFrame) => void) | undefined;
    const api = {
      subscribe: (l: (f: EventFrame) => void) => {
        listener = l;
        return () => (listener = undefined);
      },
    };
    const sent: unknown[] = [];
    const live = { isDestroyed: () => false, send: (c: string, f: EventFrame) => sent.push([c, f]) };
    const dead = { isDestroyed: () => true, send: () => sent.push('dead') };
    const stop = forwardEvents(api, () => [live, dead]);
    const frame = { event: 'log', payload: { runId: null, level: 'info', message: 'hi' } };
    listener!(frame);
    expect(sent).toEqual([[IPC_EVENT_CHANNEL, frame]]);
    stop();
    expect(listener).toBeUndefined();
  });
});

describe('utilityProcess trainer launcher', () => {
  class FakeUtility extends EventEmitter implements UtilityProcessLike {
    readonly pid = 4242;
    readonly stderr = new PassThrough();
    posted: unknown[] = [];
    killed = false;
    postMessage(m: unknown): void {
      this.posted.push(m);
    }
    kill(): boolean {
      this.killed = true;
      setImmediate(() => this.emit('exit', 1));
      return true;
    }
  }

  it('forks the trainer entry with a cancel flag and relays messages', async () => {
    let forked: { entry: string; options: UtilityForkOptions; child: FakeUtility } | undefined;
    const launcher = utilityTrainerLauncher(
      (entry, _args, options) => {
        const child = new FakeUtility();
        forked = { entry, options, child };
        return child;
      },
      '/opt/ffr/out/main/trainer.js',
      { maxOldSpaceMb: 2048 },
    );
    const handle = launcher();
    expect(forked!.entry).toBe('/opt/ffr/out/main/trainer.js');
    expect(forked!.options.execArgv).toEqual(['--max-old-space-size=2048']);
    const flagFile = forked!.options.env.FFR_TRAINER_CANCEL_FILE!;
    expect(flagFile).toMatch(/ffr-cancel-/);

    const received: unknown[] = [];
    handle.onMessage((m) => received.push(m));
    forked!.child.emit('message', { type: 'started', backend: 'cpu' });
    expect(received).toEqual([{ type: 'started', backend: 'cpu' }]);
    handle.send({ type: 'cancel' });
    expect(forked!.child.posted).toEqual([{ type: 'cancel' }]);

    handle.requestCancel!();
    expect(fs.existsSync(flagFile)).toBe(true);

    forked!.child.stderr.write('some warning\n');
    const exit = new Promise<[number | null, string | null, string]>((resolve) => handle.onExit((code, signal, tail) => resolve([code, signal, tail])));
    handle.kill();
    const [code, signal, tail] = await exit;
    expect([code, signal]).toEqual([null, 'SIGKILL']);
    expect(tail).toContain('some warning');
    expect(fs.existsSync(flagFile)).toBe(false);
  });

  it('keeps a V8 fatal error as the crash reason', async () => {
    const child = new FakeUtility();
    const handle = utilityTrainerLauncher(() => child, '/x.js')();
    const exit = new Promise<string>((resolve) => handle.onExit((_c, _s, tail) => resolve(tail)));
    child.emit('error', 'FatalError', 'v8::internal::Heap', 'Reached heap limit Allocation failed - JavaScript heap out of memory');
    child.emit('exit', 134);
    expect(await exit).toMatch(/heap out of memory/);
  });
});

describe('better-sqlite3 for Electron', () => {
  it('looks for the Electron build in the packaged resources, then in the checkout', () => {
    const c = bindingCandidates('/opt/ffr', '/Applications/FFR.app/Contents/Resources');
    expect(c).toEqual(['/Applications/FFR.app/Contents/Resources/native/better_sqlite3.node', '/opt/ffr/resources/native/better_sqlite3.node']);
    expect(findBinding(c, (p) => p.startsWith('/opt'))).toBe('/opt/ffr/resources/native/better_sqlite3.node');
    expect(findBinding(c, () => false)).toBeNull();
  });

  it('says how to fix an ABI mismatch in one sentence', () => {
    const abi = new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115.');
    expect(sqliteLoadHelp(abi, '45.5.0', null)).toBe(
      'better-sqlite3 is built for Node.js, not for Electron 45.5.0; run `npm run prepare:electron` (it needs the network or the Electron headers) and start again.',
    );
    expect(sqliteLoadHelp(new Error('disk I/O error\nstack'), '45.5.0', null)).toBe('The workbench database could not be opened: disk I/O error');
  });
});

describe('preload', () => {
  it('exposes only call and on, and unwraps IPC replies', async () => {
    const exposed = new Map<string, unknown>();
    const listeners = new Map<string, Array<(...a: unknown[]) => void>>();
    const invoke = vi.fn(async (_channel: string, method: string): Promise<IpcReply> =>
      method === 'app.ping' ? { ok: true, result: { ok: true } } : { ok: false, error: { code: 'not-found', message: 'Unknown run "x".' } },
    );
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      ipcRenderer: {
        invoke,
        on: (c: string, l: (...a: unknown[]) => void) => listeners.set(c, [...(listeners.get(c) ?? []), l]),
        removeListener: (c: string, l: (...a: unknown[]) => void) => listeners.set(c, (listeners.get(c) ?? []).filter((x) => x !== l)),
      },
    }));
    await import('../preload');
    expect([...exposed.keys()]).toEqual(['ffr']);
    const ffr = exposed.get('ffr') as { call: (m: string, p: unknown) => Promise<unknown>; on: (e: string, h: (p: unknown) => void) => () => void };
    expect(Object.keys(ffr).sort()).toEqual(['call', 'on']);
    expect(await ffr.call('app.ping', {})).toEqual({ ok: true });
    await expect(ffr.call('runs.get', { runId: 'x' })).rejects.toEqual({ code: 'not-found', message: 'Unknown run "x".' });
    await expect(ffr.call('shell.exec', {})).rejects.toMatchObject({ code: 'unknown-method' });
    expect(invoke).toHaveBeenCalledTimes(2);
    expect(() => ffr.on('anything', () => {})).toThrow(/no event "anything"/);

    const got: unknown[] = [];
    const off = ffr.on('run-status', (p) => got.push(p));
    const emit = (frame: EventFrame): void => listeners.get(IPC_EVENT_CHANNEL)!.forEach((l) => l({}, frame));
    emit({ event: 'run-status', payload: { runId: 'r', status: 'running', error: null } });
    emit({ event: 'log', payload: { runId: 'r', level: 'info', message: 'x' } });
    expect(got).toEqual([{ runId: 'r', status: 'running', error: null }]);
    off();
    emit({ event: 'run-status', payload: { runId: 'r', status: 'completed', error: null } });
    expect(got).toHaveLength(1);
    // One IPC listener however many subscriptions.
    ffr.on('log', () => {});
    ffr.on('log', () => {});
    expect(listeners.get(IPC_EVENT_CHANNEL)).toHaveLength(1);
    vi.doUnmock('electron');
  });
});
