/**
 * The desktop window's security settings and checks, as pure functions so they are unit-tested
 * without an Electron binary. The rules (Electron's security checklist):
 * - the renderer gets no Node and no Electron: contextIsolation, sandbox, no nodeIntegration, and a
 *   preload that exposes the contract's methods and events only;
 * - it may show only the app's own page: every navigation, new window, <webview> and permission
 *   request is denied;
 * - main answers IPC only from the app's own top-level frame (checked per message, by frame URL).
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The app's CSP (index.html carries it as a meta tag too; main also sends it as a header). */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 920,
    minWidth: 960,
    minHeight: 600,
    // Shown on ready-to-show, so the user never sees an unstyled flash.
    show: false,
    backgroundColor: '#0f1115',
    title: 'FFR Workbench',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/**
 * Where the app's page comes from: the built index.html (file:) or, under `electron-vite dev`, the
 * dev server's origin.
 */
export type AppLocation = { kind: 'file'; indexUrl: string } | { kind: 'dev'; origin: string };

export function appLocation(devServerUrl: string | undefined, indexFileUrl: string): AppLocation {
  if (devServerUrl) return { kind: 'dev', origin: new URL(devServerUrl).origin };
  return { kind: 'file', indexUrl: indexFileUrl };
}

/** Whether a URL is the app's own page (any client route or query of it). */
export function isAppUrl(url: string | undefined | null, loc: AppLocation): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (loc.kind === 'dev') return u.origin === loc.origin;
  // file: URLs have no origin worth comparing ("null"); the document itself must be our index.html.
  const own = new URL(loc.indexUrl);
  return u.protocol === 'file:' && u.pathname === own.pathname && u.host === own.host;
}

/** The parts of an IPC event's sender frame the check needs. */
export interface SenderFrameLike {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

/**
 * An IPC message is answered only if it comes from the app's own page in its top-level frame:
 * not from a sub-frame, not from a page the window was somehow navigated to.
 */
export function isTrustedSender(frame: SenderFrameLike | null | undefined, loc: AppLocation): boolean {
  if (!frame) return false; // the frame navigated away or was destroyed meanwhile
  if (frame.parent !== null && frame.parent !== undefined) return false;
  return isAppUrl(frame.url, loc);
}

/**
 * will-navigate / will-redirect: the single-page app never navigates the document (routes are
 * in-page), so anything that would is refused, including a reload to another app URL via a link.
 */
export function allowNavigation(_targetUrl: string): boolean {
  return false;
}
