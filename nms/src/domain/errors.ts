// Coded errors for the domain: the platform's AppError (plain TypeScript, no I/O),
// imported from its own entry so domain/ never loads prom-client or pino.
export { AppError as DomainError } from '@lienthong/kit/errors';
