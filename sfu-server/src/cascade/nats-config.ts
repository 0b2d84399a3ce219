// nats-server configuration for a cascade: the province runs the hub, each district a leaf node
// whose uplink is the hub's leafnode port. A leaf keeps routing among its own clients while that
// uplink is down, and reconnects by itself: a district keeps its meeting when cut off.
// Each server speaks only as itself (the last subject token, protocol/cascade.ts), enforced twice:
// - At the hub, each server is its own account. A district's uplink is TLS both ways: it shows a
//   client certificate from the internal CA whose subject names it (leafCertSubject), which binds it
//   to its account. Accounts share only what their owner sends: a server's events and its requests
//   to each other server. nats-server 2.9 checks no permissions on what a leaf sends in, and leaf users
//   take none, so the account boundary is the check even against a tampered leaf.
// - Each sfu-server reaches its own nats-server on loopback as its own user, whose permissions let
//   it publish only subjects ending in its id and read only its requests, the meetings' events and
//   its own reply inboxes.
import { cascadeSubjects } from '../protocol/cascade';

export interface HubConfig {
  /** The province server's id. */
  serverId: string;
  /** Where this server's own sfu-server connects (loopback), with its password (user clientUser(serverId)). */
  clientPort: number;
  clientPassword: string;
  /** Where district leaf nodes connect, on the WAN address. */
  leafListen: { ip: string; port: number };
  /** The hub's certificate for its WAN addresses and the internal CA that issued it and the leaves'. */
  tls: { certFile: string; keyFile: string; caFile: string };
  /** The district servers that may connect, each with the certificate leafCertSubject(id). */
  districts: string[];
}

export interface LeafConfig {
  serverId: string;
  clientPort: number;
  clientPassword: string;
  /** nats-leaf://ip:port of the province hub. */
  hubUrl: string;
  /** This district's client certificate (subject leafCertSubject(serverId)) and the internal CA. */
  tls: { certFile: string; keyFile: string; caFile: string };
}

/** The common name of a district's uplink certificate, and the subject nats-server maps to its account. */
export const leafCertName = (serverId: string) => `lienthong-cascade-${serverId}`;
export const leafCertSubject = (serverId: string) => `CN=${leafCertName(serverId)},O=LienThong`;
/** The loopback NATS user of a server's own sfu-server. */
export const clientUser = (serverId: string) => `lt-${serverId}`;

const quote = (s: string) => JSON.stringify(s);
const list = (items: string[]) => `[${items.map(quote).join(', ')}]`;
const account = (serverId: string) => quote(`S_${serverId}`);

function checkId(id: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`a server id is letters, digits, - or _, got ${JSON.stringify(id)}`);
}

function checkPassword(p: string): void {
  if (p.length < 16 || /["\\\s]/.test(p))
    throw new Error('a NATS password needs at least 16 characters, without quotes, backslashes or spaces');
}

/** The sfu-server's own user: publishes only as itself, reads its requests, events and own inboxes; may answer what it was asked. */
function clientUserEntry(serverId: string, password: string): string {
  const publish = cascadeSubjects.sentBy(serverId);
  const subscribe = [...cascadeSubjects.receivedBy(serverId), `_INBOX.${serverId}.>`];
  return `{ user: ${quote(clientUser(serverId))}, password: ${quote(password)}, permissions: { publish: { allow: ${list(publish)} }, allow_responses: true, subscribe: { allow: ${list(subscribe)} } } }`;
}

/** One server's account at the hub: exports what it sends, imports what the others send it. */
function hubAccount(id: string, all: string[], users: string): string[] {
  const others = all.filter((o) => o !== id);
  const exports = [
    `{ stream: ${quote(cascadeSubjects.eventsBy(id))}, accounts: [${others.map(account).join(', ')}] }`,
    ...others.map((o) => `{ service: ${quote(cascadeSubjects.between(id, o))}, accounts: [${account(o)}] }`),
  ];
  const imports = others.flatMap((o) => [
    `{ stream: { account: ${account(o)}, subject: ${quote(cascadeSubjects.eventsBy(o))} } }`,
    `{ service: { account: ${account(o)}, subject: ${quote(cascadeSubjects.between(o, id))} } }`,
  ]);
  return [
    `  ${account(id)} {`,
    ...(users ? [`    users: [ ${users} ]`] : []),
    '    exports: [',
    ...exports.map((e) => `      ${e}`),
    '    ]',
    '    imports: [',
    ...imports.map((i) => `      ${i}`),
    '    ]',
    '  }',
  ];
}

export function hubConfig(c: HubConfig): string {
  checkId(c.serverId);
  checkPassword(c.clientPassword);
  for (const d of c.districts) checkId(d);
  const all = [c.serverId, ...c.districts];
  if (new Set(all).size !== all.length) throw new Error('server ids must differ');
  const leafUsers = c.districts.map((d) => `    { user: ${quote(leafCertSubject(d))}, account: ${account(d)} }`);
  return [
    `listen: ${quote(`127.0.0.1:${c.clientPort}`)}`,
    'max_payload: 262144',
    'accounts {',
    ...all.flatMap((id) => hubAccount(id, all, id === c.serverId ? clientUserEntry(id, c.clientPassword) : '')),
    '}',
    'leafnodes {',
    `  listen: ${quote(`${c.leafListen.ip}:${c.leafListen.port}`)}`,
    // verify: a leaf must show a certificate from the CA; verify_and_map: its subject picks its user.
    `  tls { cert_file: ${quote(c.tls.certFile)}, key_file: ${quote(c.tls.keyFile)}, ca_file: ${quote(c.tls.caFile)}, verify_and_map: true, timeout: 3 }`,
    '  authorization { users: [',
    ...leafUsers,
    '  ] }',
    '}',
    '',
  ].join('\n');
}

export function leafConfig(c: LeafConfig): string {
  if (!/^nats-leaf:\/\/[0-9a-fA-F:.[\]]+:\d+$/.test(c.hubUrl)) throw new Error(`hub URL must be nats-leaf://ip:port, got ${c.hubUrl}`);
  checkId(c.serverId);
  checkPassword(c.clientPassword);
  const tls = `tls: { cert_file: ${quote(c.tls.certFile)}, key_file: ${quote(c.tls.keyFile)}, ca_file: ${quote(c.tls.caFile)}, timeout: 3 }`;
  return [
    `listen: ${quote(`127.0.0.1:${c.clientPort}`)}`,
    'max_payload: 262144',
    `authorization { users: [ ${clientUserEntry(c.serverId, c.clientPassword)} ] }`,
    // Try the hub again every second: a restored link is used within a second or two.
    `leafnodes { reconnect: 1, remotes: [ { url: ${quote(c.hubUrl)}, ${tls} } ] }`,
    '',
  ].join('\n');
}
