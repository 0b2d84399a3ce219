// Step: where session keys come from: given (tests), a file, or sfu-server (key and logged-out
// sessions followed in the background); reported in /healthz.
import { resolve } from 'node:path';
import type { HealthRegistry, Logger } from '@lienthong/kit';
import { REVOCATIONS_PATH } from '@lienthong/kit/contracts';
import type { NmsConfig } from '../config/schema';
import { type KeySource, keyFromFile, keyFromUrl, revocationsFromUrl } from '../http/auth';
import type { Stoppers } from './lifecycle';

/** auth.caFile: the CA sfu-server's certificate must come from; "" = the system's roots. */
export const trustedCa = (config: NmsConfig): string | undefined => (config.auth.caFile ? resolve(config.auth.caFile) : undefined);

async function resolveKeys(config: NmsConfig, logger: Logger, stoppers: Stoppers): Promise<KeySource> {
  if (config.auth.publicKeyFile) return keyFromFile(config.auth.publicKeyFile);
  const log = logger.child({ component: 'auth' });
  const k = keyFromUrl(config.auth.publicKeyUrl, config.auth.retrySeconds * 1000, log, trustedCa(config));
  stoppers.add(() => k.stop());
  const revocations = revocationsFromUrl(
    new URL(REVOCATIONS_PATH, config.auth.publicKeyUrl).toString(),
    config.auth.revocationPollSeconds * 1000,
    log,
    trustedCa(config),
  );
  stoppers.add(() => revocations.stop());
  return { current: () => k.current(), status: () => k.status(), isRevoked: revocations.isRevoked };
}

export async function sessionKeys(
  config: NmsConfig,
  given: KeySource | undefined,
  health: HealthRegistry,
  logger: Logger,
  stoppers: Stoppers,
): Promise<KeySource> {
  const keys = given ?? (await resolveKeys(config, logger, stoppers));
  health.register('auth', () => {
    const s = keys.status();
    return s === 'ok' ? { ok: true } : { ok: false, reason: s };
  });
  return keys;
}
