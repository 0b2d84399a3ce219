// `npm run cascade -- hub`: the province's NATS hub. Everything lives in one directory (default
// /etc/lienthong/nats, the systemd unit's): nats.conf and tls/ for nats-server, the province
// sfu-server's password and cascade block, hub.json (the settings, so later runs and `district` need
// no repeat), and districts/ (root only) with each district's bundle. The CA key stays in --ca-dir.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { caFiles, ensureServerCert } from '@lienthong/kit/tls';
import { clientUser, hubConfig } from '../../sfu-server/src/cascade/nats-config';
import {
  Changes,
  cascadeYaml,
  chownTo,
  ensureDir,
  ensurePassword,
  LINK_PORTS,
  readJson,
  UsageError,
  writeIfChanged,
  writeJson,
  writeNatsConfig,
} from './files';

export interface HubSettings {
  /** The province server's id (its cascade.serverId). */
  id: string;
  caDir: string;
  /** The hub's WAN addresses: on its certificate, and what districts connect to. */
  addresses: string[];
  districts: string[];
  leafPort: number;
  leafListen: string;
  clientPort: number;
  /** Where the province's media links listen (its cascade.linkIp). */
  linkIp: string;
  /** The user nats-server runs as, given its files; "" = whoever runs this. */
  owner: string;
}

export const HUB_DEFAULTS = { leafPort: 7422, leafListen: '0.0.0.0', clientPort: 4222, owner: '' };

export const hubPaths = (dir: string) => ({
  settings: join(dir, 'hub.json'),
  conf: join(dir, 'nats.conf'),
  tls: join(dir, 'tls'),
  ca: join(dir, 'tls', 'ca.pem'),
  password: join(dir, 'sfu-nats-password'),
  yaml: join(dir, 'cascade.yaml'),
  districts: join(dir, 'districts'),
});

export const loadHub = (dir: string): HubSettings | undefined => readJson<HubSettings>(hubPaths(dir).settings);

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function checkId(what: string, id: string): void {
  if (!ID.test(id))
    throw new UsageError(`${what} must be 1-64 letters, digits, - or _ (the server's id on the admin page), got ${JSON.stringify(id)}`);
}

export function checkIp(what: string, ip: string): void {
  if (!isIP(ip)) throw new UsageError(`${what} must be an IP address, got ${JSON.stringify(ip)}`);
}

function checkHub(s: HubSettings): void {
  checkId('--id', s.id);
  if (!s.addresses.length) throw new UsageError('--address is required: the WAN address(es) districts reach the hub at');
  for (const a of s.addresses) checkIp('--address', a);
  if (!s.districts.length) throw new UsageError('--districts is required: the ids of the district servers (admin page)');
  for (const d of s.districts) checkId('a district id', d);
  if (new Set(s.districts).size !== s.districts.length) throw new UsageError('--districts lists an id twice');
  if (s.districts.includes(s.id)) throw new UsageError(`--districts includes the province's own id ${s.id}`);
  checkIp('--leaf-listen', s.leafListen);
  checkIp('--link-ip', s.linkIp);
  if (s.leafPort === s.clientPort) throw new UsageError('--leaf-port and --client-port must differ');
}

/** A URL host for an IP: IPv6 in brackets. */
export const urlHost = (ip: string) => (isIP(ip) === 6 ? `[${ip}]` : ip);

export interface HubRun {
  settings: HubSettings;
  changes: Changes;
  yaml: string;
  added: string[];
  removed: string[];
  /** Why the hub's certificate was issued this run, if it was. */
  certIssued: string | undefined;
}

/** The CA must already exist (sfu-server's first start makes it) unless the caller asks for a new one. */
export function requireCa(caDir: string, allowNew: boolean): void {
  const ca = caFiles(caDir);
  if (allowNew || (existsSync(ca.certFile) && existsSync(ca.keyFile))) return;
  throw new UsageError(
    `no internal CA in ${caDir} (ca.pem and ca-key.pem): start sfu-server once (it creates it) or give its http.tls.caDir; --new-ca makes one here`,
  );
}

export async function runHub(dir: string, s: HubSettings, opts: { rotate: boolean; newCa: boolean }): Promise<HubRun> {
  checkHub(s);
  requireCa(s.caDir, opts.newCa);
  const p = hubPaths(resolve(dir));
  const before = loadHub(dir);
  const changes = new Changes();
  // The directory must be traversable by the nats user; the files themselves are 0600.
  ensureDir(resolve(dir), 0o711);
  ensureDir(p.districts, 0o700);
  if (opts.rotate) for (const f of ['server.pem', 'server-key.pem']) rmSync(join(p.tls, f), { force: true });
  const cert = await ensureServerCert({ caDir: s.caDir, dir: p.tls, names: { dns: [], ips: s.addresses } });
  changes.add(cert.certFile, !!cert.issued);
  changes.add(cert.keyFile, !!cert.issued);
  // A copy of the CA certificate beside the hub's: nats-server cannot read the CA's directory.
  changes.add(p.ca, writeIfChanged(p.ca, readFileSync(cert.caFile, 'utf8'), 0o644));
  const password = ensurePassword(p.password, opts.rotate, changes);
  const conf = hubConfig({
    serverId: s.id,
    clientPort: s.clientPort,
    clientPassword: password,
    leafListen: { ip: s.leafListen, port: s.leafPort },
    tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: p.ca },
    districts: s.districts,
  });
  changes.add(p.conf, writeNatsConfig(p.conf, conf));
  const yaml = cascadeYaml({
    serverId: s.id,
    natsUrl: `nats://${clientUser(s.id)}:${password}@127.0.0.1:${s.clientPort}`,
    parent: '',
    children: s.districts,
    routes: {},
    linkIp: s.linkIp,
    linkPorts: LINK_PORTS,
  });
  changes.add(p.yaml, writeIfChanged(p.yaml, yaml, 0o600));
  changes.add(p.settings, writeJson(p.settings, s));
  if (s.owner) chownTo(s.owner, [p.conf, p.tls, cert.certFile, cert.keyFile, p.ca]);
  const old = before?.districts ?? [];
  return {
    settings: s,
    changes,
    yaml,
    added: s.districts.filter((d) => !old.includes(d)),
    removed: old.filter((d) => !s.districts.includes(d)),
    certIssued: cert.issued,
  };
}
