/**
 * The seam between the renderer and the host. Two real implementations (preload bridge, HTTP +
 * WebSocket) and, in unit tests, a fake host. Nothing above this file knows which one is in use.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface Transport {
  readonly kind: 'electron' | 'http' | 'test';
  call(method: string, params: unknown): Promise<unknown>;
  /** Subscribes to one host event; returns the unsubscribe function. */
  on(event: string, handler: (payload: unknown) => void): () => void;
  /** Connection state of the event channel (the bridge is always open). */
  onConnection(handler: (state: ConnectionState) => void): () => void;
  /** A URL the browser can download a host path from (HTTP only; the desktop opens folders instead). */
  fileUrl?(path: string): string;
}
