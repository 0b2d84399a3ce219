// The product's cascade on a WAN: three real sfu-server processes (province, two districts), each in
// its own network namespace with its own NATS node (hub at the province, leaves at the districts),
// joined by veth links. Each server has a LAN of its own (another namespace, routed through the
// server's), where its sites' Chromium runs trusting the province's CA: a cut WAN link leaves the
// sites' own network up, as in a district. The province has one address (PROVINCE_IP) that both
// districts route to over their own link, so every page uses one URL.
import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { type CascadeNats, createWan, removeDir, startCascadeNats, type Wan } from './cascade-wan';
import { chromiumInNetns } from './netns';
import { freePort } from './ports';
import { cascadeConfig, loginAdmin, type SfuProcess, startSfuServer } from './sfu-process';

export const PROVINCE_IP = '10.215.0.1';
export const SERVER_IDS = { p: 'tinh', d1: 'huyen-vo-nhai', d2: 'huyen-dai-tu' } as const;
/** The district site each district server serves (its subtree). */
const SERVED = { d1: 'TN-VN', d2: 'TN-DT' } as const;
const NFT_TABLE = 'lt_signalling';

export type Ns = 'p' | 'd1' | 'd2';
/** Each server's LAN: 10.215.<n>.1 is the server, .2 its sites. */
const LAN_SUBNET: Record<Ns, number> = { p: 10, d1: 11, d2: 12 };
export const lanServerIp = (n: Ns) => `10.215.${LAN_SUBNET[n]}.1`;
type Counted = 'https' | 'nats' | 'udp';

export interface WanMeeting {
  wan: Wan;
  province: SfuProcess;
  districts: Record<'d1' | 'd2', SfuProcess>;
  /** The one URL every page uses. */
  provinceUrl: string;
  browsers: Record<Ns, Browser>;
  /**
   * Bytes (IP length) through the province's end of a district link, by kind and direction (out: toward
   * the district), and the UDP packets (each has its Ethernet, IP and UDP headers on the veth).
   */
  countedBytes(d: 'd1' | 'd2'): Record<`${Counted}_${'in' | 'out'}` | `udp_${'in' | 'out'}_packets`, number>;
  /** A server's `lienthong_cascade_link_bytes_total` toward a neighbour (scraped over its loopback bridge). */
  cascadeLinkBytes(server: SfuProcess, peer: string): Promise<{ rx: number; tx: number }>;
  stop(): Promise<void>;
}

async function api<T>(url: string, token: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The admin gives each district its server (under the id it is configured with), and invites Võ Nhai's
 * whole subtree to the demo meeting (the seed invites only the district site), so a commune of each
 * district can join. Returns each district server's HTTPS port.
 */
async function assignDistricts(province: SfuProcess, wan: Wan): Promise<Record<'d1' | 'd2', number>> {
  const token = await loginAdmin(province.url);
  const { sites } = await api<{ sites: { id: string; code: string }[] }>(`${province.url}/api/sites`, token);
  const siteId = (code: string) => sites.find((s) => s.code === code)!.id;
  const ports = { d1: await freePort(), d2: await freePort() };
  for (const d of ['d1', 'd2'] as const) {
    await api(`${province.url}/api/servers`, token, 'POST', {
      id: SERVER_IDS[d],
      name: `Máy chủ ${SERVED[d]}`,
      url: `https://${wan.addr[d]}:${ports[d]}`,
      siteId: siteId(SERVED[d]),
    });
  }
  const { meetings } = await api<{ meetings: { id: string; title: string; invites: { siteId: string; scope: string }[] }[] }>(
    `${province.url}/api/meetings/upcoming`,
    token,
  );
  const demo = meetings.find((m) => m.title.startsWith('Hội nghị giao ban'))!;
  const invites = demo.invites.map((i) => (i.siteId === siteId(SERVED.d1) ? { ...i, scope: 'subtree' } : i));
  await api(`${province.url}/api/meetings/${demo.id}`, token, 'PATCH', { invites });
  return ports;
}

/** Named nftables counters on the province's end of each district link: HTTPS/WSS, NATS and UDP (media), each way. */
function countLinkTraffic(wan: Wan, httpsPort: number): void {
  const links = ['d1', 'd2'] as const;
  const match = {
    https: (dir: string) => `tcp ${dir} ${httpsPort}`,
    nats: (dir: string) => `tcp ${dir} 7422`,
    udp: () => 'meta l4proto udp',
  };
  const rules = (hook: 'in' | 'out') =>
    links.flatMap((d) =>
      (Object.keys(match) as Counted[]).map(
        (k) =>
          `    ${hook === 'in' ? 'iifname' : 'oifname'} "${wan.dev[d]}" ${match[k](hook === 'in' ? 'dport' : 'sport')} counter name ${k}_${d}_${hook}`,
      ),
    );
  const ruleset = [
    `table inet ${NFT_TABLE} {`,
    ...links.flatMap((d) => (Object.keys(match) as Counted[]).flatMap((k) => [`  counter ${k}_${d}_in {}`, `  counter ${k}_${d}_out {}`])),
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    ...rules('in'),
    '  }',
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    ...rules('out'),
    '  }',
    '}',
    '',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', wan.ns.p, 'nft', '-f', '-'], { input: ruleset, stdio: ['pipe', 'pipe', 'pipe'] });
}

function readCounters(wan: Wan, d: 'd1' | 'd2'): ReturnType<WanMeeting['countedBytes']> {
  const out = execFileSync('ip', ['netns', 'exec', wan.ns.p, 'nft', '-j', 'list', 'counters', 'table', 'inet', NFT_TABLE]).toString();
  const items = (JSON.parse(out) as { nftables: { counter?: { name: string; bytes: number; packets: number } }[] }).nftables;
  const got = Object.fromEntries(items.flatMap((i) => (i.counter ? [[i.counter.name, i.counter]] : [])));
  const read = (k: Counted, dir: 'in' | 'out') => Number(got[`${k}_${d}_${dir}`]?.bytes ?? 0);
  return {
    udp_in_packets: Number(got[`udp_${d}_in`]?.packets ?? 0),
    udp_out_packets: Number(got[`udp_${d}_out`]?.packets ?? 0),
    https_in: read('https', 'in'),
    https_out: read('https', 'out'),
    nats_in: read('nats', 'in'),
    nats_out: read('nats', 'out'),
    udp_in: read('udp', 'in'),
    udp_out: read('udp', 'out'),
  };
}

/**
 * A LAN behind each server: namespace <server ns>s with a veth to the server's namespace, which
 * forwards between its LAN and the WAN; the province routes each district LAN over its link.
 */
function addLans(wan: Wan): Record<Ns, string> {
  const ip = (args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  const lans = {} as Record<Ns, string>;
  for (const n of ['p', 'd1', 'd2'] as const) {
    const lan = `${wan.ns[n]}s`;
    const subnet = LAN_SUBNET[n];
    lans[n] = lan;
    try {
      ip(['netns', 'del', lan]);
    } catch {
      // not there
    }
    ip(['netns', 'add', lan]);
    ip(['-n', lan, 'link', 'set', 'lo', 'up']);
    ip(['-n', wan.ns[n], 'link', 'add', `lan${n}`, 'type', 'veth', 'peer', 'name', 'lan', 'netns', lan]);
    ip(['-n', wan.ns[n], 'addr', 'add', `${lanServerIp(n)}/24`, 'dev', `lan${n}`]);
    ip(['-n', lan, 'addr', 'add', `10.215.${subnet}.2/24`, 'dev', 'lan']);
    ip(['-n', wan.ns[n], 'link', 'set', `lan${n}`, 'up']);
    ip(['-n', lan, 'link', 'set', 'lan', 'up']);
    ip(['-n', lan, 'route', 'add', 'default', 'via', lanServerIp(n)]);
    ip(['netns', 'exec', wan.ns[n], 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  }
  wan.route('d1', wan.ns.p, `10.215.${LAN_SUBNET.d1}.0/24`, wan.addr.d1);
  wan.route('d2', wan.ns.p, `10.215.${LAN_SUBNET.d2}.0/24`, wan.addr.d2);
  return lans;
}

async function scrapeLinkBytes(server: SfuProcess, peer: string): Promise<{ rx: number; tx: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const read = (direction: string) => {
    const m = new RegExp(`^lienthong_cascade_link_bytes_total\\{[^}]*peer="${peer}",direction="${direction}"\\} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { rx: read('rx'), tx: read('tx') };
}

/** Waits until the province's pings reach both district servers. */
async function bothDistrictsUp(province: SfuProcess): Promise<void> {
  const token = await loginAdmin(province.url);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const h = await api<{ neighbours: { peer: string; state: string }[] }>(`${province.url}/api/servers/health`, token);
    if ([SERVER_IDS.d1, SERVER_IDS.d2].every((id) => h.neighbours.some((n) => n.peer === id && n.state === 'up'))) return;
    if (Date.now() > deadline) throw new Error(`district servers not up at the province: ${JSON.stringify(h.neighbours)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function startWanMeeting(): Promise<WanMeeting> {
  const wan = createWan('cm', { provinceIp: PROVINCE_IP });
  const started: { nats?: CascadeNats; servers: SfuProcess[]; browsers: Browser[]; lans: string[] } = {
    servers: [],
    browsers: [],
    lans: [],
  };
  const stop = async () => {
    for (const b of started.browsers) await b.close().catch(() => undefined);
    for (const s of started.servers.reverse()) await s.stop().catch(() => undefined);
    for (const p of started.nats?.procs ?? []) p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    for (const lan of started.lans) {
      try {
        execFileSync('ip', ['netns', 'del', lan], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    wan.remove();
    for (const d of started.nats?.dirs ?? []) removeDir(d);
  };
  try {
    const lans = addLans(wan);
    started.lans.push(...Object.values(lans));
    const nats = await startCascadeNats(wan, SERVER_IDS, { d1: PROVINCE_IP, d2: PROVINCE_IP });
    started.nats = nats;
    const province = await startSfuServer({
      netns: wan.ns.p,
      listenIp: PROVINCE_IP,
      tlsNames: [PROVINCE_IP],
      adaptation: false,
      extraConfig: cascadeConfig(nats.urls.p, SERVER_IDS.p, '', [SERVER_IDS.d1, SERVER_IDS.d2], PROVINCE_IP),
    });
    started.servers.push(province);
    const httpsPorts = await assignDistricts(province, wan);
    const districts = {} as Record<'d1' | 'd2', SfuProcess>;
    for (const d of ['d1', 'd2'] as const) {
      districts[d] = await startSfuServer({
        netns: wan.ns[d],
        // Its sites' media on its LAN side; the links to the province on its WAN address.
        listenIp: lanServerIp(d),
        httpsPort: httpsPorts[d],
        adaptation: false,
        extraConfig: cascadeConfig(nats.urls[d], SERVER_IDS[d], SERVER_IDS.p, [], wan.addr[d]),
      });
      started.servers.push(districts[d]);
    }
    await bothDistrictsUp(province);
    countLinkTraffic(wan, province.httpsPort);
    const browsers = {} as Record<Ns, Browser>;
    for (const n of ['p', 'd1', 'd2'] as const) {
      browsers[n] = await launchChromium({ executablePath: chromiumInNetns(lans[n]), caFile: province.caFile });
      started.browsers.push(browsers[n]);
    }
    return {
      wan,
      province,
      districts,
      provinceUrl: province.httpsUrl(PROVINCE_IP),
      browsers,
      countedBytes: (d) => readCounters(wan, d),
      cascadeLinkBytes: scrapeLinkBytes,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
