/**
 * Errors as the UI sees them: one sentence for the user plus a machine code. Every transport
 * (preload bridge, HTTP, WebSocket) turns its failures into this, so views show one kind of error.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    /** Contract error code (e.g. "not-found", "invalid-input") or a transport code ("unauthorized", "network"). */
    readonly code: string = 'error',
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Best-effort readable message for anything thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
