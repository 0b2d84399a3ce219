// Starts a service's listeners: the fastify app (built with httpsServerFactory) on http.port, the plain
// listener on http.plainPort, certificate renewal without restart, and the start-up banner.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger';
import { tlsBanner } from './banner';
import type { PreparedTls } from './prepare';
import { closeServer, createPlainServer, listen, watchKeyPair } from './servers';
import { RENEW_BEFORE_MS } from './store';

export interface ListenSettings {
  host: string;
  port: number;
  plainPort: number;
  plainLoopback: boolean;
}

/** A port another process holds: the one line an operator needs. */
export class PortTakenError extends Error {}

const taken = (service: string, what: string, key: string, host: string, port: number) =>
  new PortTakenError(
    `${what} port ${port} (${host}) is in use. Is another ${service} running? See what holds it: ss -ltnp 'sport = :${port}'. Or set ${key}.`,
  );

export async function serveHttps(
  app: FastifyInstance,
  o: {
    service: string;
    http: ListenSettings;
    tls: PreparedTls;
    logger: Logger;
    publicHost: string;
    renewCheckMs?: number;
    /** Officials open it in their browsers (sfu-server); false: only services call it (nms, behind sfu-server's proxy). */
    forBrowsers?: boolean;
  },
): Promise<{ plain?: Server }> {
  const { host, port, plainPort } = o.http;
  const https = app.server as HttpsServer;
  const plain = plainPort ? createPlainServer(https, { httpsPort: port, plainLoopback: o.http.plainLoopback }) : undefined;
  const log = o.logger.child({ component: 'tls' });
  const watcher = watchKeyPair(https, o.tls, {
    intervalMs: o.renewCheckMs ?? 60_000,
    ...(o.tls.renew ? { renew: o.tls.renew } : {}),
    onChange: (e) =>
      e
        ? log.error({ err: e, certFile: o.tls.certFile }, 'new certificate not usable; still serving the previous one')
        : log.info({ certFile: o.tls.certFile }, 'certificate renewed; new connections get it'),
  });
  const onHup = () => void watcher.check();
  process.on('SIGHUP', onHup);
  // Hooks before listen (fastify refuses them after).
  app.addHook('onClose', async () => {
    watcher.stop();
    process.off('SIGHUP', onHup);
    if (plain?.listening) await closeServer(plain);
  });
  await app.listen({ host, port }).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'EADDRINUSE' ? taken(o.service, 'HTTP', 'http.port', host, port) : e;
  });
  if (plain) {
    await listen(plain, plainPort, host).catch(async (e: NodeJS.ErrnoException) => {
      await app.close();
      throw e.code === 'EADDRINUSE' ? taken(o.service, 'HTTP', 'http.plainPort', host, plainPort) : e;
    });
  }
  const fmtHost = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const httpsUrl = `https://${fmtHost(o.publicHost)}:${port}`;
  const plainUrl = plainPort && o.http.plainLoopback ? `http://127.0.0.1:${plainPort}` : undefined;
  const banner = tlsBanner({
    service: o.service,
    forBrowsers: o.forBrowsers ?? true,
    httpsUrl,
    ...(plainUrl ? { plainUrl } : {}),
    ...(o.tls.caFile ? { caFile: o.tls.caFile } : {}),
  });
  const validTo = new X509Certificate(readFileSync(o.tls.certFile)).validTo;
  log.info(
    { httpsUrl, plainUrl, caFile: o.tls.caFile, certFile: o.tls.certFile, issued: o.tls.issued, validTo },
    `${o.service} listening on ${httpsUrl}`,
  );
  if (Date.parse(validTo) - Date.now() < RENEW_BEFORE_MS)
    log.warn({ certFile: o.tls.certFile, validTo }, 'the certificate ends soon: renew it (it is picked up without a restart)');
  // Under `npm start` the launcher prints one summary for the whole system instead.
  if (!process.env.LIENTHONG_LAUNCHER) console.log(banner.join('\n'));
  return plain ? { plain } : {};
}
