// The listeners of a service: HTTPS (and WSS) on http.port, and plain HTTP on http.plainPort that only
// redirects to HTTPS, except for requests to a loopback address when plainLoopback is on (browsers treat
// http://127.0.0.1 and http://localhost as secure, so the machine's own user meets no certificate question).
import { readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';

export interface KeyPair {
  certFile: string;
  keyFile: string;
}

const isLoopback = (a: string | undefined) => !!a && (a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.'));

export function readKeyPair(files: KeyPair): { cert: Buffer; key: Buffer } {
  const pair = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
  createSecureContext(pair); // throws on a key that does not match the certificate, or bad PEM
  return pair;
}

/** For fastify's serverFactory: the HTTPS server that fastify and socket.io share. */
export const httpsServerFactory =
  (files: KeyPair) =>
  (handler: RequestListener): HttpsServer =>
    createHttpsServer(readKeyPair(files), handler);

/** https://<the host the client asked for>:<httpsPort><path>. */
export function redirectLocation(req: IncomingMessage, httpsPort: number): string {
  let host = req.socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  if (host.includes(':')) host = `[${host}]`;
  try {
    if (req.headers.host) host = new URL(`http://${req.headers.host}`).hostname || host;
  } catch {
    // a Host header that is no host: fall back to the address the client connected to
  }
  return `https://${host}:${httpsPort}${req.url?.startsWith('/') ? req.url : '/'}`;
}

/** The plain listener: serves loopback requests through `target` (fastify AND socket.io), else redirects. */
export function createPlainServer(target: HttpsServer, opts: { httpsPort: number; plainLoopback: boolean }): Server {
  const served = (s: Socket) => opts.plainLoopback && isLoopback(s.localAddress);
  const server = createHttpServer((req, res) => {
    if (served(req.socket)) {
      target.emit('request', req, res);
      return;
    }
    res.writeHead(308, { location: redirectLocation(req, opts.httpsPort), 'content-length': '0', connection: 'close' });
    res.end();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (served(socket)) target.emit('upgrade', req, socket, head);
    else socket.end(`HTTP/1.1 308 Permanent Redirect\r\nLocation: ${redirectLocation(req, opts.httpsPort)}\r\nConnection: close\r\n\r\n`);
  });
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/**
 * Applies a renewed certificate without a restart: `check()` (each interval, and on SIGHUP) re-reads the
 * files when their mtime changed, or asks `renew` (the internal CA re-issuing a certificate near its end).
 */
export function watchKeyPair(
  server: HttpsServer,
  files: KeyPair,
  opts: { intervalMs: number; onChange: (e?: Error) => void; renew?: () => Promise<boolean> },
): { check(): Promise<void>; stop(): void } {
  const stamp = () => `${statSync(files.certFile).mtimeMs}:${statSync(files.keyFile).mtimeMs}`;
  let last = stamp();
  const check = async () => {
    try {
      const renewed = (await opts.renew?.()) ?? false;
      const now = stamp();
      if (now === last && !renewed) return;
      server.setSecureContext(readKeyPair(files));
      last = now;
      opts.onChange();
    } catch (e) {
      opts.onChange(e as Error); // keep serving the previous certificate
    }
  };
  const timer = setInterval(() => void check(), opts.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
