// nats-server configuration for a cascade: the province runs the hub, each district a leaf node
// whose uplink is the hub's leafnode port. A leaf keeps routing among its own clients while that
// uplink is down, and reconnects by itself: a district keeps its meeting when cut off.

export interface HubConfig {
  /** Where this server's own sfu-server connects (loopback). */
  clientPort: number;
  /** Where district leaf nodes connect, on the WAN address. */
  leafListen: { ip: string; port: number };
}

export interface LeafConfig {
  clientPort: number;
  /** nats-leaf://ip:port of the province hub. */
  hubUrl: string;
}

const quote = (s: string) => JSON.stringify(s);

export function hubConfig(c: HubConfig): string {
  return [
    `listen: ${quote(`127.0.0.1:${c.clientPort}`)}`,
    'max_payload: 262144',
    `leafnodes { listen: ${quote(`${c.leafListen.ip}:${c.leafListen.port}`)} }`,
    '',
  ].join('\n');
}

export function leafConfig(c: LeafConfig): string {
  if (!/^nats-leaf:\/\/[0-9a-fA-F:.[\]]+:\d+$/.test(c.hubUrl)) throw new Error(`hub URL must be nats-leaf://ip:port, got ${c.hubUrl}`);
  return [
    `listen: ${quote(`127.0.0.1:${c.clientPort}`)}`,
    'max_payload: 262144',
    // Try the hub again every second: a restored link is used within a second or two.
    `leafnodes { reconnect: 1, remotes: [ { url: ${quote(c.hubUrl)} } ] }`,
    '',
  ].join('\n');
}
