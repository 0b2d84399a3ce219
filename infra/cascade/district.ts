// `npm run cascade -- district`, run at the province: one district's bundle in
// <hub dir>/districts/<id>/, to copy as it is into --install-dir on the district machine. It holds
// the leaf node's nats.conf (naming files under --install-dir), tls/ with the district's client
// certificate and key (CN leafCertName(id), from the province's CA) and the CA certificate (never
// its key), the district sfu-server's password and its cascade block. The bundle stays at the
// province: a later run keeps its key and password.
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureClientCert } from '@lienthong/kit/tls';
import { clientUser, leafCertName, leafConfig } from '../../sfu-server/src/cascade/nats-config';
import {
  Changes,
  cascadeYaml,
  ensureDir,
  ensurePassword,
  LINK_PORTS,
  readJson,
  UsageError,
  writeIfChanged,
  writeJson,
  writeNatsConfig,
} from './files';
import { checkId, checkIp, hubPaths, loadHub, requireCa, urlHost } from './hub';

export interface DistrictSettings {
  id: string;
  /** Where the district's media links listen, as the province reaches it (its cascade.linkIp). */
  linkIp: string;
  /** The hub address this district connects to (one of the hub's --address). */
  hubAddress: string;
  clientPort: number;
  /** Where the bundle goes on the district machine: the paths in its nats.conf. */
  installDir: string;
}

export const DISTRICT_DEFAULTS = { clientPort: 4222, installDir: '/etc/lienthong/nats' };

export const districtPaths = (hubDir: string, id: string) => {
  const bundle = join(hubPaths(resolve(hubDir)).districts, id);
  return {
    settings: join(hubPaths(resolve(hubDir)).districts, `${id}.json`),
    bundle,
    conf: join(bundle, 'nats.conf'),
    tls: join(bundle, 'tls'),
    ca: join(bundle, 'tls', 'ca.pem'),
    password: join(bundle, 'sfu-nats-password'),
    yaml: join(bundle, 'cascade.yaml'),
  };
};

export const loadDistrict = (hubDir: string, id: string) => readJson<DistrictSettings>(districtPaths(hubDir, id).settings);

export interface DistrictRun {
  settings: DistrictSettings;
  bundle: string;
  changes: Changes;
  yaml: string;
}

export async function runDistrict(hubDir: string, d: DistrictSettings, opts: { rotate: boolean }): Promise<DistrictRun> {
  const hub = loadHub(hubDir);
  if (!hub) throw new UsageError(`no hub in ${hubDir} (hub.json): run \`npm run cascade -- hub\` there first, or give its --dir`);
  checkId('--id', d.id);
  if (!hub.districts.includes(d.id))
    throw new UsageError(
      `${d.id} is not a district of this hub (${hub.districts.join(', ')}): run \`npm run cascade -- hub --districts ${[...hub.districts, d.id].join(',')}\` first`,
    );
  checkIp('--link-ip', d.linkIp);
  if (!hub.addresses.includes(d.hubAddress))
    throw new UsageError(
      `--hub-address ${d.hubAddress} is not on the hub's certificate (${hub.addresses.join(', ')}): add it to hub --address first`,
    );
  if (d.clientPort < 1 || d.clientPort > 65_535) throw new UsageError('--client-port must be a port number');
  requireCa(hub.caDir, false);
  // The hub trusts the CA it was last set up with: a district from another CA would be refused.
  const caPem = readFileSync(join(hub.caDir, 'ca.pem'), 'utf8');
  if (caPem !== readFileSync(hubPaths(resolve(hubDir)).ca, 'utf8'))
    throw new UsageError(`the CA in ${hub.caDir} is not the one the hub trusts: run \`npm run cascade -- hub\` again first`);
  const p = districtPaths(hubDir, d.id);
  const changes = new Changes();
  ensureDir(p.bundle, 0o700);
  if (opts.rotate) for (const f of ['client.pem', 'client-key.pem']) rmSync(join(p.tls, f), { force: true });
  const cert = await ensureClientCert({ caDir: hub.caDir, dir: p.tls, commonName: leafCertName(d.id) });
  changes.add(cert.certFile, !!cert.issued);
  changes.add(cert.keyFile, !!cert.issued);
  changes.add(p.ca, writeIfChanged(p.ca, caPem, 0o644));
  const password = ensurePassword(p.password, opts.rotate, changes);
  const leaf = (dir: string) =>
    leafConfig({
      serverId: d.id,
      clientPort: d.clientPort,
      clientPassword: password,
      hubUrl: `nats-leaf://${urlHost(d.hubAddress)}:${hub.leafPort}`,
      tls: { certFile: join(dir, 'tls', 'client.pem'), keyFile: join(dir, 'tls', 'client-key.pem'), caFile: join(dir, 'tls', 'ca.pem') },
    });
  // Written for the district machine's paths, checked with the bundle's own (the same files).
  changes.add(p.conf, writeNatsConfig(p.conf, leaf(d.installDir), leaf(p.bundle)));
  const yaml = cascadeYaml({
    serverId: d.id,
    natsUrl: `nats://${clientUser(d.id)}:${password}@127.0.0.1:${d.clientPort}`,
    parent: hub.id,
    children: [],
    routes: {},
    linkIp: d.linkIp,
    linkPorts: LINK_PORTS,
  });
  changes.add(p.yaml, writeIfChanged(p.yaml, yaml, 0o600));
  changes.add(p.settings, writeJson(p.settings, d));
  return { settings: d, bundle: p.bundle, changes, yaml };
}
