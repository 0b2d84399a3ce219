// Errors with a stable code: mapped to an HTTP status and to socket.io acks
// `{ ok: false, error: { code, message } }`.
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export interface WireError {
  code: string;
  message: string;
  details?: unknown;
}

/** What a client may see: coded errors as they are, anything else hidden behind INTERNAL. */
export function toWireError(err: unknown): WireError {
  if (err instanceof AppError) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: err.details };
  }
  return { code: 'INTERNAL', message: 'Internal error' };
}
