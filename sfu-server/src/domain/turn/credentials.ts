// TURN credentials in coturn's "TURN REST API" scheme (use-auth-secret): anyone holding the
// shared secret can mint them, coturn checks them without a database, and they expire by themselves.
//   username   = "<expiry, unix seconds>:<userId>"
//   credential = base64(HMAC-SHA1(secret, username))
import { createHmac } from 'node:crypto';

export interface IceServerEntry {
  urls: string[];
  username: string;
  credential: string;
}

export interface TurnCredential {
  username: string;
  credential: string;
  /** Unix seconds. */
  expiresAt: number;
}

export function turnCredential(secret: string, userId: string, nowMs: number, ttlSeconds: number): TurnCredential {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64'), expiresAt };
}

export interface TurnEndpoints {
  host: string;
  port: number;
  /** Absent: no TLS listener (no certificate). */
  tlsPort?: number;
}

/** The relay URLs a browser gets, TLS last (the browser tries them all at once; ICE picks). */
export function turnUrls({ host, port, tlsPort }: TurnEndpoints): string[] {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const urls = [`turn:${h}:${port}?transport=udp`, `turn:${h}:${port}?transport=tcp`];
  if (tlsPort !== undefined) urls.push(`turns:${h}:${tlsPort}?transport=tcp`);
  return urls;
}
