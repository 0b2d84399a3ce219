// `npm run start:cascade`: the demo over two media servers on this machine, the province's and Đại Từ
// district's, joined as in a deployment (docs/design/cascade.md): a NATS hub and a leaf node with the
// identities `npm run cascade` generates (var/cascade-demo/, kept between runs), the province sfu-server
// with the hub's cascade block, and a district sfu-server with the bundle's. The province's demo data
// knows the district server (demo.districtServer), so Đại Từ's sites get their media there.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { districtPaths, runDistrict } from '../cascade/district';
import { ensureDir, writeIfChanged } from '../cascade/files';
import { runHub } from '../cascade/hub';

export const PROVINCE_ID = 'tinh';
export const DISTRICT = { id: 'huyen-dai-tu', siteCode: 'TN-DT', name: 'Máy chủ Huyện Đại Từ' };
/** The demo accounts of the TN-DT subtree (sfu-server/DEMO-ACCOUNTS.md): their media goes to the district server. */
export const DISTRICT_USERS = ['daibieu.dt', 'xa.cuvan', 'xa.hungson', 'xa.labang'];

/** A process start.ts runs: health is an http(s) URL, or tcp://host:port (answers when it accepts). */
export interface Service {
  name: string;
  command: string;
  args: string[];
  health: string;
}

export function cascadePorts(offset: number) {
  return {
    hubClient: 4222 + offset,
    leaf: 7422 + offset,
    leafClient: 4223 + offset,
    districtTls: 8445 + offset,
    district: 8081 + offset,
    districtMedia: 21000 + offset,
    /** Where Đại Từ's room systems send their media (the province's calls keep 30000–30999 on this machine). */
    districtRoomRtp: { min: 29000 + offset, max: 29999 + offset },
  };
}

export interface CascadeDemo {
  /** The province's cascade: block, appended to its config. */
  provinceYaml: string;
  /** Started before the province sfu-server. */
  nats: Service[];
  /** Started after nms. */
  district: Service;
  banner: string[];
}

/** TCP health: null while nothing accepts, [] when something does. */
export function tcpProblems(url: string): Promise<string[] | null> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const s = connect({ host: hostname, port: Number(port) });
    s.setTimeout(2000);
    s.once('connect', () => {
      s.destroy();
      done([]);
    });
    s.once('error', () => done(null));
    s.once('timeout', () => {
      s.destroy();
      done(null);
    });
  });
}

function natsBinary(): string {
  return existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
}

/** The hub and the district bundle, as `npm run cascade -- hub` and `-- district` write them; idempotent. */
async function generate(dir: string, root: string, offset: number) {
  const p = cascadePorts(offset);
  const caDir = join(root, 'var/ca'); // sfu-server's default http.tls.caDir: one CA for HTTPS and NATS
  const hasCa = existsSync(join(caDir, 'ca.pem')) && existsSync(join(caDir, 'ca-key.pem'));
  const hub = await runHub(
    dir,
    {
      id: PROVINCE_ID,
      caDir,
      addresses: ['127.0.0.1'],
      districts: [DISTRICT.id],
      leafPort: p.leaf,
      leafListen: '127.0.0.1',
      clientPort: p.hubClient,
      linkIp: '127.0.0.1',
      owner: '',
    },
    { rotate: false, newCa: !hasCa },
  );
  const bundle = districtPaths(dir, DISTRICT.id).bundle;
  const district = await runDistrict(
    dir,
    { id: DISTRICT.id, linkIp: '127.0.0.1', hubAddress: '127.0.0.1', clientPort: p.leafClient, installDir: bundle },
    { rotate: false },
  );
  return { hub, district };
}

/** The district's own admin password: never used in the demo, but not a published one (sfu-server refuses those). */
function districtAdminPassword(dir: string): string {
  const file = join(dir, 'district-admin-password');
  if (!existsSync(file)) writeIfChanged(file, `${randomBytes(18).toString('base64url')}\n`, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** The district sfu-server's config: its own data, ports and no demo data, TURN, SIP port or nms (its room systems call the province). */
function districtConfig(dir: string, offset: number, cascadeYaml: string): string {
  const p = cascadePorts(offset);
  return [
    'dataDir: var/sfu-server-huyen',
    `http:\n  port: ${p.districtTls}\n  plainPort: ${p.district}`,
    `media:\n  basePort: ${p.districtMedia}`,
    'turn:\n  run: false',
    `sip:\n  enabled: false\n  rtpPorts:\n    min: ${p.districtRoomRtp.min}\n    max: ${p.districtRoomRtp.max}`,
    'nms:\n  url: ""',
    'demo:\n  seed: false',
    `auth:\n  initialAdminPassword: ${districtAdminPassword(dir)}`,
    cascadeYaml,
  ].join('\n');
}

/** The province's demo.districtServer: what an admin would add on the servers page. */
export function provinceDemoYaml(offset: number): string {
  const url = `https://127.0.0.1:${cascadePorts(offset).districtTls}`;
  return `demo:\n  districtServer:\n    id: ${DISTRICT.id}\n    siteCode: ${DISTRICT.siteCode}\n    name: ${DISTRICT.name}\n    url: ${url}\n`;
}

export async function prepareCascadeDemo(root: string, offset: number): Promise<CascadeDemo> {
  const dir = join(root, 'var/cascade-demo');
  ensureDir(dir, 0o700);
  const { hub, district } = await generate(dir, root, offset);
  const p = cascadePorts(offset);
  const districtFile = join(dir, 'sfu-server-huyen.yaml');
  writeIfChanged(districtFile, districtConfig(dir, offset, district.yaml), 0o600);
  const nats = natsBinary();
  return {
    provinceYaml: `${provinceDemoYaml(offset)}${hub.yaml}`,
    nats: [
      { name: 'nats-hub', command: nats, args: ['-c', join(dir, 'nats.conf')], health: `tcp://127.0.0.1:${p.hubClient}` },
      {
        name: 'nats-leaf',
        command: nats,
        args: ['-c', join(district.bundle, 'nats.conf')],
        health: `tcp://127.0.0.1:${p.leafClient}`,
      },
    ],
    district: {
      name: 'sfu-server-huyen',
      command: process.execPath,
      args: ['--import', 'tsx', 'sfu-server/src/main.ts', '--config', districtFile],
      health: `http://127.0.0.1:${p.district}/healthz`,
    },
    banner: [
      `  Cascade: one meeting over two media servers (config and keys: ${dir}/).`,
      `  District server (${DISTRICT.name}): https://127.0.0.1:${p.districtTls}/   (media only; everyone uses the URLs above)`,
      `  Its demo users (the TN-DT subtree): ${DISTRICT_USERS.join(', ')}`,
      '  Try: chutri.tinh and xa.cuvan in two browsers; the network pages show "Liên thông: hoạt động".',
    ],
  };
}
