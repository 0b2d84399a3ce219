// The coturn configuration sfu-server writes for the coturn it supervises: shared-secret
// credentials only, TLS with the service's certificate, and a relay that reaches the SFU and nothing else.
import { isIP } from 'node:net';

export interface CoturnSettings {
  secret: string;
  realm: string;
  port: number;
  tlsPort: number;
  minRelayPort: number;
  maxRelayPort: number;
  /** The SFU's announced media address: the only peer the relay may send to. */
  peerAddress: string;
  /** The service's certificate; absent = no TLS listener. */
  tls?: { certFile: string; keyFile: string };
  pidFile: string;
  logFile: string;
  /** coturn's own database; unused with use-auth-secret but opened at start (kept out of /var/lib). */
  dbFile: string;
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

export function coturnConfig(s: CoturnSettings): string {
  if (!isIP(s.peerAddress)) throw new Error(`TURN: the media announced address must be an IP (got "${s.peerAddress}")`);
  const lines = [
    "# Written by sfu-server at each start; edit sfu-server's config (turn:), not this file.",
    `listening-port=${s.port}`,
    'use-auth-secret',
    `static-auth-secret=${s.secret}`,
    `realm=${s.realm}`,
    'fingerprint',
    'no-cli',
    'no-multicast-peers',
    'no-software-attribute',
    // No NAT-behaviour discovery: coturn would also take port+1 for it (a port nobody opened or expects).
    'no-rfc5780',
    `min-port=${s.minRelayPort}`,
    `max-port=${s.maxRelayPort}`,
    // Deny every peer, then allow the SFU alone: the relay is no way into the province network.
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    `allowed-peer-ip=${s.peerAddress}`,
    // A test or single-machine demo announces loopback; coturn refuses loopback peers otherwise.
    ...(isLoopback(s.peerAddress) ? ['allow-loopback-peers'] : []),
    ...(s.tls
      ? [`tls-listening-port=${s.tlsPort}`, `cert=${s.tls.certFile}`, `pkey=${s.tls.keyFile}`, 'no-tlsv1', 'no-tlsv1_1', 'no-dtls']
      : ['no-tls', 'no-dtls']),
    `pidfile=${s.pidFile}`,
    `log-file=${s.logFile}`,
    'simple-log',
    `userdb=${s.dbFile}`,
  ];
  return `${lines.join('\n')}\n`;
}
