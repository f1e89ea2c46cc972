/**
 * Browser-mode security, as pure functions (unit-tested without a socket):
 * - bind to loopback unless the user explicitly allows a remote host;
 * - a random per-start token on every request and socket (the URL printed carries it), compared in
 *   constant time;
 * - a Host-header check against DNS rebinding (a page on evil.example whose name resolves to
 *   127.0.0.1 would otherwise reach the server as same-origin), and an Origin check on sockets.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { TOKEN_HEADER, TOKEN_QUERY } from '../shared/contract';

export const TOKEN_COOKIE = 'ffr_token';

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Refuses a non-loopback bind address unless explicitly allowed; the message says how. */
export function checkBindHost(host: string, allowRemote: boolean): void {
  if (isLoopbackHost(host) || allowRemote) return;
  throw new Error(
    `Refusing to listen on ${host}: it is not a loopback address, so anyone on the network holding the URL could train and delete runs; pass --allow-remote to do it anyway.`,
  );
}

/** Constant-time token comparison (no early exit leaking the matching prefix length). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
}

function header(req: RequestLike, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Every value of cookie `name` (a browser sends one per path and origin port, and any page on
 * another localhost port can plant one). A value that is not valid percent-encoding is skipped:
 * it cannot be our token, which is base64url.
 */
export function cookieValues(cookieHeader: string | undefined, name: string): string[] {
  if (!cookieHeader) return [];
  const values: string[] = [];
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      values.push(decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // malformed: not a token
    }
  }
  return values;
}

/**
 * The request target as a URL, or null when it is not one we serve: it must be a path (origin
 * form) and must not start with "//" (which URL parsers read as a host name).
 */
export function parseRequestTarget(target: string | undefined): URL | null {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    return null;
  }
}

/**
 * The tokens a request presents. API calls and sockets must carry one explicitly (header or query):
 * the cookie is accepted for static files only, which the browser fetches without our help, so a
 * cookie alone can never call a method (no cross-site request forgery through it).
 */
export function presentedTokens(req: RequestLike, url: URL, allowCookie: boolean): string[] {
  const explicit = [header(req, TOKEN_HEADER), url.searchParams.get(TOKEN_QUERY)].filter((t): t is string => !!t);
  return allowCookie ? [...explicit, ...cookieValues(header(req, 'cookie'), TOKEN_COOKIE)] : explicit;
}

/** True when any presented token is the expected one. */
export function authorized(expected: string, presented: readonly string[]): boolean {
  // Every candidate is compared (no early exit), each in constant time.
  return presented.reduce((ok, t) => tokenMatches(expected, t) || ok, false);
}

/**
 * Host-header check against DNS rebinding: on a loopback bind only loopback names are accepted.
 * With --allow-remote the server is reachable under any name by design.
 */
export function hostAllowed(hostHeader: string | undefined, allowRemote: boolean): boolean {
  if (allowRemote) return true;
  if (!hostHeader) return false;
  const host = hostHeader.replace(/:\d+$/, '');
  return isLoopbackHost(host);
}

/** Sockets: a browser always sends Origin; it must be this server (same host and port). */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true; // not a browser (CLI tools, tests); the token still applies
  try {
    const o = new URL(origin);
    return hostHeader !== undefined && o.host === hostHeader;
  } catch {
    return false;
  }
}
