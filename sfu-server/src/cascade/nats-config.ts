// nats-server configuration for a cascade: the province runs the hub, each district a leaf node
// whose uplink is the hub's leafnode port. A leaf keeps routing among its own clients while that
// uplink is down, and reconnects by itself: a district keeps its meeting when cut off.
// The uplink crosses the WAN: TLS, the hub's certificate checked against the internal CA, and a
// leaf password the hub checks. Each sfu-server reaches its own nats-server on loopback only.

export interface HubConfig {
  /** Where this server's own sfu-server connects (loopback). */
  clientPort: number;
  /** Where district leaf nodes connect, on the WAN address. */
  leafListen: { ip: string; port: number };
  /** The hub's certificate for its WAN addresses, issued by the internal CA. */
  tls: { certFile: string; keyFile: string };
  leafPassword: string;
}

export interface LeafConfig {
  clientPort: number;
  /** nats-leaf://ip:port of the province hub. */
  hubUrl: string;
  /** The internal CA, which issued the hub's certificate. */
  caFile: string;
  leafPassword: string;
}

export const LEAF_USER = 'lienthong-leaf';
const quote = (s: string) => JSON.stringify(s);

function checkPassword(p: string): void {
  if (p.length < 16 || /["\\\s]/.test(p))
    throw new Error('the leaf password needs at least 16 characters, without quotes, backslashes or spaces');
}

export function hubConfig(c: HubConfig): string {
  checkPassword(c.leafPassword);
  return [
    `listen: ${quote(`127.0.0.1:${c.clientPort}`)}`,
    'max_payload: 262144',
    'leafnodes {',
    `  listen: ${quote(`${c.leafListen.ip}:${c.leafListen.port}`)}`,
    `  tls { cert_file: ${quote(c.tls.certFile)}, key_file: ${quote(c.tls.keyFile)}, timeout: 3 }`,
    `  authorization { user: ${quote(LEAF_USER)}, password: ${quote(c.leafPassword)} }`,
    '}',
    '',
  ].join('\n');
}

export function leafConfig(c: LeafConfig): string {
  if (!/^nats-leaf:\/\/[0-9a-fA-F:.[\]]+:\d+$/.test(c.hubUrl)) throw new Error(`hub URL must be nats-leaf://ip:port, got ${c.hubUrl}`);
  checkPassword(c.leafPassword);
  const url = c.hubUrl.replace('nats-leaf://', `nats-leaf://${LEAF_USER}:${c.leafPassword}@`);
  return [
    `listen: ${quote(`127.0.0.1:${c.clientPort}`)}`,
    'max_payload: 262144',
    // Try the hub again every second: a restored link is used within a second or two.
    `leafnodes { reconnect: 1, remotes: [ { url: ${quote(url)}, tls: { ca_file: ${quote(c.caFile)}, timeout: 3 } } ] }`,
    '',
  ].join('\n');
}
