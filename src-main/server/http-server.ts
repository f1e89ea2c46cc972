/**
 * `ffr serve`: the contract over HTTP + WebSocket, and the built renderer.
 *
 *   POST /api/<method>   JSON params → 200 {result} | 4xx/5xx {error: {code, message}}
 *   GET  /api/events     WebSocket; every contract event as a JSON text frame {event, payload}
 *   GET  /*              the built renderer (index.html for client-side routes)
 *
 * Every request and socket needs the token (header x-ffr-token or ?token=; for static files also the
 * cookie set when the page was opened with ?token=), else 401. See security.ts for the rest.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Api, Download } from '../services/api';
import { toErrorBody } from '../services/errors';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH, HTTP_EXPORT_FILES_PREFIX, TOKEN_QUERY, type ApiErrorBody, type ErrorCode } from '../shared/contract';
import { TOKEN_COOKIE, authorized, checkBindHost, hostAllowed, newToken, originAllowed, parseRequestTarget, presentedTokens } from './security';
import { notBuiltPage, rendererBuilt, resolveStatic, unauthorizedPage } from './static';

export interface ServerOptions {
  api: Api;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token (tests, scripted setups); a random one otherwise. */
  token?: string;
  /** Folder of the built renderer; null serves the API only. */
  rendererDir: string | null;
  allowRemote?: boolean;
  /** Largest request body accepted, bytes (larger: 413). */
  maxBodyBytes?: number;
  /** Told about every error a request or socket raised that became a 500 (ffr serve logs it). */
  onError?: (e: unknown, where: string) => void;
}

export interface RunningServer {
  url: string;
  /** The URL to open: with the token. */
  openUrl: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const STATUS: Record<ErrorCode, number> = {
  'invalid-params': 400,
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  'unknown-method': 404,
  unauthorized: 401,
  forbidden: 403,
  internal: 500,
};

/** Sent with every response. no-referrer: the token is in the page URL and must not leak. */
const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The renderer's CSP, also as a header (the meta tag in index.html says the same). */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, error: ApiErrorBody): void {
  sendJson(res, STATUS[error.code], { error });
}

type Body = { ok: true; text: string } | { ok: false; tooLarge: true };

/** The client went away while sending its body: nobody is left to answer, and nothing to log. */
class ClientGoneError extends Error {}

/**
 * Reads a request body up to `limit` bytes. A larger one (by its content-length, or once the limit
 * is passed) is not kept; the caller answers 413 and closes the connection, so the client reads
 * that answer instead of a reset connection.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      resolve({ ok: false, tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', (e) => reject(new ClientGoneError(e.message)));
  });
}

function mebibytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes} bytes`;
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const allowRemote = o.allowRemote ?? false;
  checkBindHost(host, allowRemote);
  const token = o.token ?? newToken();
  const maxBody = o.maxBodyBytes ?? 1024 * 1024;
  const { api } = o;

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, { error: { code: 'invalid-params', message: `Call ${method} with POST and a JSON body.` } });
    }
    const body = await readBody(req, maxBody);
    if (!body.ok) {
      // The connection is closed after the answer: the rest of the body is not worth reading.
      res.setHeader('connection', 'close');
      return sendJson(res, 413, { error: { code: 'invalid-params', message: `The body of ${method} is larger than the ${mebibytes(maxBody)} this server accepts.` } });
    }
    let params: unknown = {};
    try {
      if (body.text.trim() !== '') params = JSON.parse(body.text) as unknown;
    } catch {
      return sendError(res, { code: 'invalid-params', message: `The body of ${method} is not valid JSON.` });
    }
    const reply = await api.dispatch(method, params);
    if (reply.ok) sendJson(res, 200, { result: reply.result });
    else sendError(res, reply.error);
  }

  function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...BASE_HEADERS, allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (!o.rendererDir || !rendererBuilt(o.rendererDir)) {
      res.writeHead(503, { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(notBuiltPage(o.rendererDir ?? '(none given)'));
      return;
    }
    const file = resolveStatic(o.rendererDir, url.pathname);
    if (!file) {
      res.writeHead(404, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found.');
      return;
    }
    const headers: Record<string, string> = {
      ...BASE_HEADERS,
      'content-type': file.type,
      'cache-control': file.cacheable ? 'private, max-age=3600' : 'no-store',
    };
    if (file.type.startsWith('text/html')) {
      headers['content-security-policy'] = PAGE_CSP;
      // The page was opened with ?token=: remember it for the assets the browser fetches on its own.
      if (url.searchParams.get(TOKEN_QUERY)) headers['set-cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file.file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  /** GET <prefix><exportId>/<file> or <prefix><exportId>.zip: an export's files, as attachments. */
  function handleDownload(req: http.IncomingMessage, res: http.ServerResponse, rest: string): void {
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return sendJson(res, 405, { error: { code: 'invalid-params', message: 'Download export files with GET.' } });
    }
    let parts: string[];
    try {
      parts = rest.split('/').map(decodeURIComponent);
    } catch {
      return sendError(res, { code: 'invalid-params', message: `The download path "${rest.slice(0, 100)}" is not valid percent-encoding.` });
    }
    const zip = parts.length === 1 && parts[0]!.endsWith('.zip');
    const exportId = zip ? parts[0]!.slice(0, -'.zip'.length) : parts[0]!;
    const file = zip ? undefined : parts.slice(1).join('/');
    if (!exportId || (!zip && !file)) return sendError(res, { code: 'not-found', message: 'Name an export and one of its files, or <export>.zip.' });
    let download: Download;
    try {
      download = api.exportDownload(exportId, file);
    } catch (e) {
      return sendError(res, toErrorBody(e));
    }
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': download.type,
      'content-disposition': `attachment; filename="${download.filename.replace(/["\\\r\n]/g, '_')}"`,
      'cache-control': 'no-store',
    });
    download.stream.on('error', () => res.destroy()).pipe(res);
  }

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = parseRequestTarget(req.url);
    if (!url) {
      return sendError(res, { code: 'invalid-params', message: `The request target "${(req.url ?? '').slice(0, 200)}" is not a path this server serves.` });
    }
    const isApi = url.pathname.startsWith(HTTP_API_PREFIX);
    if (!hostAllowed(req.headers.host, allowRemote)) {
      return sendError(res, { code: 'forbidden', message: `Requests for host "${req.headers.host ?? ''}" are refused; use the URL ffr serve printed.` });
    }
    if (!authorized(token, presentedTokens(req, url, !isApi))) {
      if (isApi) return sendError(res, { code: 'unauthorized', message: 'The access token is missing or wrong; open the URL that ffr serve printed.' });
      res.writeHead(401, { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(unauthorizedPage());
      return;
    }
    if (url.pathname.startsWith(HTTP_EXPORT_FILES_PREFIX)) return handleDownload(req, res, url.pathname.slice(HTTP_EXPORT_FILES_PREFIX.length));
    if (isApi) {
      const encoded = url.pathname.slice(HTTP_API_PREFIX.length);
      let method: string;
      try {
        method = decodeURIComponent(encoded);
      } catch {
        return sendError(res, { code: 'invalid-params', message: `The method name "${encoded.slice(0, 100)}" is not valid percent-encoding.` });
      }
      return handleApi(req, res, method);
    }
    handleStatic(req, res, url);
  }

  /** Last line of defence: whatever a request throws is answered with 500 and the server lives on. */
  function failRequest(res: http.ServerResponse, e: unknown): void {
    if (e instanceof ClientGoneError) {
      res.destroy();
      return;
    }
    o.onError?.(e, 'request');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    try {
      sendError(res, { code: 'internal', message: `The server failed on this request: ${e instanceof Error ? e.message : String(e)}` });
    } catch {
      res.destroy();
    }
  }

  const server = http.createServer((req, res) => {
    // handleRequest is async, so a synchronous throw anywhere in it is a rejection here too.
    handleRequest(req, res).catch((e: unknown) => failRequest(res, e));
  });

  // --- events
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const refuse = (socket: Duplex, status: number, text: string): void => {
    if (socket.writable) socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };
  function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseRequestTarget(req.url);
    if (!url) return refuse(socket, 400, 'Bad Request');
    if (url.pathname !== HTTP_EVENTS_PATH) return refuse(socket, 404, 'Not Found');
    if (!hostAllowed(req.headers.host, allowRemote) || !originAllowed(req.headers.origin, req.headers.host)) return refuse(socket, 403, 'Forbidden');
    if (!authorized(token, presentedTokens(req, url, false))) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  }
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws takes the socket over, nobody else listens for its errors (a peer resetting the
    // connection would otherwise be an uncaught 'error' event).
    socket.on('error', () => socket.destroy());
    try {
      handleUpgrade(req, socket, head);
    } catch (e) {
      o.onError?.(e, 'upgrade');
      refuse(socket, 500, 'Internal Server Error');
    }
  });
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    // The channel is one-way; anything a client sends is ignored.
    ws.on('message', () => {});
    ws.on('error', () => ws.terminate());
  });
  const unsubscribe = api.subscribe((frame) => {
    const text = JSON.stringify(frame);
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });
  // Drops sockets whose peer vanished without closing (laptop sleep, killed browser).
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `Port ${o.port ?? 0} on ${host} is already in use; pass another --port (0 picks a free one).`
            : e.code === 'EADDRNOTAVAIL'
              ? `Cannot listen on ${host}: no network interface has that address.`
              : `Cannot listen on ${host}:${o.port ?? 0}: ${e.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;

  let closing: Promise<void> | undefined;
  return {
    url,
    openUrl: `${url}?${TOKEN_QUERY}=${encodeURIComponent(token)}`,
    host,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        unsubscribe();
        for (const ws of wss.clients) ws.close(1001, 'The server is shutting down.');
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
