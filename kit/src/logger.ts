import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(opts: { service: string; level: string; pretty?: boolean }): Logger {
  return pino({
    name: opts.service,
    level: opts.level,
    // Belt and braces: anything that looks like a credential is never written.
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'community',
        '*.community',
        'authKey',
        '*.authKey',
        'privKey',
        '*.privKey',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}
