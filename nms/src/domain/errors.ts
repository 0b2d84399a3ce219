// Domain errors carry a stable code and an HTTP status; http/ turns them into AppError.
// (The platform's AppError lives beside prom-client and pino, which domain/ must not load.)
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
