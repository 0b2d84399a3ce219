// TURN for sfu-server: the credentials it issues per session and, with turn.run, the coturn it
// supervises (config and pid/log files in dataDir). Production runs coturn under systemd with the
// same settings (infra/) and sets turn.run: false.
import { unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import type { HealthRegistry, Logger } from '@lienthong/kit';
import type { SfuConfig } from '../config/schema';
import { type IceServerEntry, turnCredential, turnUrls } from '../domain/turn/credentials';
import { coturnConfig } from './coturn-config';
import { loadOrCreateTurnSecret } from './secret';
import { CoturnSupervisor } from './supervisor';

export const COTURN_BINARY = '/usr/bin/turnserver';
const CERT_CHECK_MS = 60_000;

export interface IceServers {
  iceServers: IceServerEntry[];
  ttlSeconds: number;
}

export interface TurnService {
  /** The relay a logged-in user may use now, with a credential that expires by itself. */
  iceServers(userId: string): IceServers;
  stop(): Promise<void>;
}

export interface TurnStartOptions {
  dataDir: string;
  /** The SFU's announced media address: default host of the URLs, and the only peer coturn relays to. */
  announcedAddress: string;
  /** The service's TLS certificate (TURN over TLS); absent = no TLS listener. */
  tls?: { certFile: string; keyFile: string };
  logger: Logger;
  health: HealthRegistry;
  now?: () => number;
}

export function startTurn(cfg: SfuConfig['turn'], o: TurnStartOptions): TurnService {
  if (!cfg.enabled) return { iceServers: () => ({ iceServers: [], ttlSeconds: 0 }), stop: async () => undefined };
  const secret = loadOrCreateTurnSecret(o.dataDir, cfg.secret);
  const urls = turnUrls({ host: cfg.publicHost || o.announcedAddress, port: cfg.port, ...(o.tls ? { tlsPort: cfg.tlsPort } : {}) });
  if (!o.tls) o.logger.warn('TURN: no TLS certificate, so no TURN over TLS (sites that only reach TCP 443/5349 cannot connect)');
  let supervisor: CoturnSupervisor | undefined;
  let stopWatching = () => {};
  if (cfg.run) {
    const file = (name: string) => join(o.dataDir, name);
    supervisor = new CoturnSupervisor({
      binary: COTURN_BINARY,
      configFile: file('turnserver.conf'),
      configText: coturnConfig({
        secret,
        realm: cfg.realm,
        port: cfg.port,
        tlsPort: cfg.tlsPort,
        minRelayPort: cfg.minRelayPort,
        maxRelayPort: cfg.maxRelayPort,
        peerAddress: o.announcedAddress,
        ...(o.tls ? { tls: o.tls } : {}),
        pidFile: file('turnserver.pid'),
        logFile: file('turnserver.log'),
        dbFile: file('turndb'),
      }),
      logFile: file('turnserver.log'),
      pidFile: file('turnserver.pid'),
      port: cfg.port,
      logger: o.logger,
    });
    supervisor.start();
    const s = supervisor;
    o.health.register('turn', () => s.health());
    // The HTTPS side applies a renewed certificate by itself (kit/src/tls); coturn needs a restart for it.
    const certFile = o.tls?.certFile;
    if (certFile) watchFile(certFile, { interval: CERT_CHECK_MS, persistent: false }, () => s.restart(`${certFile} changed`));
    stopWatching = () => certFile && unwatchFile(certFile);
    o.logger.info({ urls }, 'TURN: coturn started');
  }
  const now = o.now ?? Date.now;
  return {
    iceServers: (userId) => {
      const c = turnCredential(secret, userId, now(), cfg.credentialTtlSeconds);
      return { iceServers: [{ urls, username: c.username, credential: c.credential }], ttlSeconds: cfg.credentialTtlSeconds };
    },
    stop: async () => {
      stopWatching();
      await supervisor?.stop();
    },
  };
}
