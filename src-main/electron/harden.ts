/**
 * Applies the security rules of security.ts to Electron objects: the session (permissions, CSP
 * header) and every web contents (navigation, new windows, <webview>). Only type imports from
 * Electron, so this module loads without the Electron binary.
 */
import type { Session, WebContents } from 'electron';
import { RENDERER_CSP, allowNavigation, type AppLocation } from './security';

export function hardenSession(session: Session, loc: AppLocation): void {
  // No camera, microphone, notifications, geolocation, HID, serial…: the workbench needs none.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // The CSP as a header too (the dev server's pages, and defence in depth for the built page).
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders, 'Content-Security-Policy': [devCsp(loc)] };
    callback({ responseHeaders: headers });
  });
}

/** The dev server needs its HMR socket; the built app connects nowhere. */
function devCsp(loc: AppLocation): string {
  return loc.kind === 'dev' ? RENDERER_CSP.replace("connect-src 'self'", `connect-src 'self' ${loc.origin.replace(/^http/, 'ws')}`) : RENDERER_CSP;
}

export function hardenContents(contents: WebContents, log: (message: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url)) {
      event.preventDefault();
      log(`Blocked navigation to ${url}.`);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!allowNavigation(url)) {
      event.preventDefault();
      log(`Blocked redirect to ${url}.`);
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('Blocked a <webview>.');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(`Blocked a new window for ${url}.`);
    return { action: 'deny' };
  });
}
