// A province and two districts, each in its own network namespace, joined by veth "WAN" links
// province–district (districts reach each other only through the province). Each runs nats-server
// (the hub at the province, leaf nodes at the districts) and a cascade node process.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureClientCert, ensureServerCert } from '@lienthong/kit/tls';
import { clientUser, hubConfig, leafCertName, leafConfig } from '../../sfu-server/src/cascade/nats-config';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ip = (args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();

export interface Wan {
  /** Namespace and WAN address of each server; district links are 10.215.<n>.1 (province) – .2 (district). */
  ns: Record<'p' | 'd1' | 'd2', string>;
  addr: { p1: string; p2: string; d1: string; d2: string };
  /** The province's end of each district link (a veth device in its namespace). */
  dev: Record<'d1' | 'd2', string>;
  /** Bytes that crossed the province–district veth, both directions, counted at the province end. */
  linkBytes(district: 'd1' | 'd2'): { tx: number; rx: number };
  cut(district: 'd1' | 'd2'): void;
  /** The link up again, and the routes over it that the kernel dropped with it. */
  restore(district: 'd1' | 'd2'): void;
  /** A route in a namespace that goes over a district's link (made again on restore). */
  route(district: 'd1' | 'd2', inNs: string, prefix: string, via: string): void;
  remove(): void;
}

/**
 * `provinceIp`: one more address of the province, on its loopback, that both districts route to
 * over their own link (as a province server has one public address whichever district calls it).
 */
export function createWan(tag = 'cw', opts: { provinceIp?: string } = {}): Wan {
  const ns = { p: `lt-${tag}p`, d1: `lt-${tag}d1`, d2: `lt-${tag}d2` };
  const dev = { d1: `${tag}pd1`, d2: `${tag}pd2` };
  const remove = () => {
    for (const n of Object.values(ns)) {
      try {
        ip(['netns', 'del', n]);
      } catch {
        // not there
      }
    }
  };
  remove();
  for (const n of Object.values(ns)) {
    ip(['netns', 'add', n]);
    ip(['-n', n, 'link', 'set', 'lo', 'up']);
  }
  const link = (d: 'd1' | 'd2', subnet: number) => {
    ip(['-n', ns.p, 'link', 'add', dev[d], 'type', 'veth', 'peer', 'name', `${tag}up`, 'netns', ns[d]]);
    ip(['-n', ns.p, 'addr', 'add', `10.215.${subnet}.1/24`, 'dev', dev[d]]);
    ip(['-n', ns[d], 'addr', 'add', `10.215.${subnet}.2/24`, 'dev', `${tag}up`]);
    ip(['-n', ns.p, 'link', 'set', dev[d], 'up']);
    ip(['-n', ns[d], 'link', 'set', `${tag}up`, 'up']);
  };
  link('d1', 1);
  link('d2', 2);
  const routes: Record<'d1' | 'd2', string[][]> = { d1: [], d2: [] };
  const route = (d: 'd1' | 'd2', inNs: string, prefix: string, via: string) => {
    const args = ['-n', inNs, 'route', 'replace', prefix, 'via', via];
    routes[d].push(args);
    ip(args);
  };
  if (opts.provinceIp) {
    ip(['-n', ns.p, 'addr', 'add', `${opts.provinceIp}/32`, 'dev', 'lo']);
    route('d1', ns.d1, `${opts.provinceIp}/32`, '10.215.1.1');
    route('d2', ns.d2, `${opts.provinceIp}/32`, '10.215.2.1');
  }
  return {
    ns,
    addr: { p1: '10.215.1.1', p2: '10.215.2.1', d1: '10.215.1.2', d2: '10.215.2.2' },
    dev,
    linkBytes(d) {
      const [s] = JSON.parse(ip(['-n', ns.p, '-s', '-j', 'link', 'show', 'dev', dev[d]])) as {
        stats64: { rx: { bytes: number }; tx: { bytes: number } };
      }[];
      return { tx: s!.stats64.tx.bytes, rx: s!.stats64.rx.bytes };
    },
    cut: (d) => void ip(['-n', ns.p, 'link', 'set', dev[d], 'down']),
    restore: (d) => {
      ip(['-n', ns.p, 'link', 'set', dev[d], 'up']);
      for (const r of routes[d]) ip(r);
    },
    route,
    remove,
  };
}

/** A process in a namespace ("": on this host), killed with its namespace's test. */
export function inNetns(ns: string, cmd: string, args: string[], opts: { stdio?: 'pipe' | 'ignore' } = {}): ChildProcess {
  // No namespace: on this host (loopback tests).
  if (!ns) return spawn(cmd, args, { stdio: opts.stdio ?? 'pipe', cwd: root });
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: opts.stdio ?? 'pipe', cwd: root });
}

export function startNats(ns: string, config: string): { child: ChildProcess; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lt-nats-'));
  writeFileSync(join(dir, 'nats.conf'), config);
  const child = inNetns(ns, 'nats-server', ['-c', join(dir, 'nats.conf')], { stdio: 'ignore' });
  return { child, dir };
}

export interface CascadeNodeProc {
  serverId: string;
  call<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>;
  log: string[];
  kill(): void;
}

export async function startCascadeNode(
  ns: string,
  serverId: string,
  natsUrl: string,
  linkIps: Record<string, string>,
  routes: Record<string, string>,
  parent: string | null,
): Promise<CascadeNodeProc> {
  const child = inNetns(ns, process.execPath, [
    '--import',
    'tsx',
    join(root, 'tests/support/cascade-node-process.ts'),
    serverId,
    natsUrl,
    JSON.stringify(linkIps),
    JSON.stringify(routes),
    parent ?? '-',
  ]);
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    log.push(d.toString());
    process.stderr.write(d);
  });
  const waiting = new Map<number, (r: Record<string, unknown>) => void>();
  let seq = 0;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`cascade node ${serverId} exited ${code}: ${log.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.ready) return resolve();
      waiting.get(Number(msg.id))?.(msg);
      waiting.delete(Number(msg.id));
    });
  });
  await ready;
  return {
    serverId,
    log,
    call: (op, args = {}) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        waiting.set(id, (r) => (r.ok ? resolve(r as never) : reject(new Error(`${serverId} ${op}: ${String(r.error)}`))));
        child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
      }),
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * Simulcast VP8 as a browser sends it: 3 layers (about 140, 280 and 760 kbit/s), one SSRC each, a
 * keyframe every second, and RTCP sender reports (a layer switch needs them), all from one socket.
 */
export function simulcastCamera(ns: string, port: number, ssrcs: [number, number, number], host = '127.0.0.1'): ChildProcess {
  const sizes = [
    [160, 90, 150],
    [320, 180, 300],
    [640, 360, 800],
  ] as const;
  const branches = sizes.map(
    ([w, h, kbps], i) =>
      `t. ! queue ! videoscale ! video/x-raw,width=${w},height=${h} ! vp8enc deadline=1 cpu-used=8 target-bitrate=${kbps * 1000} keyframe-max-dist=15 ! rtpvp8pay pt=101 ssrc=${ssrcs[i]} picture-id-mode=15-bit ! rb.send_rtp_sink_${i} rb.send_rtp_src_${i} ! f. rb.send_rtcp_src_${i} ! f.`,
  );
  const pipeline = [
    'rtpbin name=rb videotestsrc is-live=true pattern=smpte horizontal-speed=3 ! video/x-raw,width=640,height=360,framerate=15/1 ! tee name=t',
    `funnel name=f ! udpsink host=${host} port=${port} sync=false async=false`,
    ...branches,
  ].join(' ');
  return inNetns(ns, 'gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: 'ignore' });
}

/** Decodes the VP8 sent to `port` and counts frames by their size (width × height). */
export interface Vp8Decoder {
  frames: () => number;
  sizes: () => Set<number>;
  /** When (Date.now()) the first frame was decoded; undefined before. */
  firstAt: () => number | undefined;
  stop: () => void;
}

export function vp8Decoder(ns: string, port: number, payloadType: number): Vp8Decoder {
  const caps = `application/x-rtp,media=video,encoding-name=VP8,payload=${payloadType},clock-rate=90000`;
  const child = inNetns(ns, 'gst-launch-1.0', [
    '-v',
    'udpsrc',
    `port=${port}`,
    `caps=${caps}`,
    '!',
    'rtpjitterbuffer',
    'latency=100',
    '!',
    'rtpvp8depay',
    '!',
    'vp8dec',
    '!',
    'fakesink',
    'silent=false',
  ]);
  let frames = 0;
  let first: number | undefined;
  const sizes = new Set<number>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /chain\s+\*+ \(fakesink0:sink\) \((\d+) bytes/.exec(line);
    if (!m) return;
    if (frames === 0) first = Date.now();
    frames++;
    sizes.add(Number(m[1]));
  });
  return { frames: () => frames, sizes: () => sizes, firstAt: () => first, stop: () => child.kill('SIGKILL') };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export type ServerName = 'p' | 'd1' | 'd2';

export interface CascadeWan {
  wan: Wan;
  nodes: Record<ServerName, CascadeNodeProc>;
  /** Start (or restart after a kill) one server's cascade node. */
  startNode(name: ServerName): Promise<CascadeNodeProc>;
  track(p: ChildProcess): void;
  stop(): Promise<void>;
}

export interface CascadeNats {
  /** Each server's loopback NATS URL, as its own user with its own password. */
  urls: Record<ServerName, string>;
  procs: ChildProcess[];
  dirs: string[];
}

/**
 * NATS for a cascade on the WAN: the hub in the province's namespace, a leaf in each district's with
 * its own uplink certificate (from a CA of this run), and each server's own loopback user. `ids`: the
 * servers' cascade ids; `hubIp`: the hub address each district dials (default its link's province end).
 */
export async function startCascadeNats(
  wan: Wan,
  ids: Record<ServerName, string> = { p: 'p', d1: 'd1', d2: 'd2' },
  hubIp: Record<'d1' | 'd2', string> = { d1: wan.addr.p1, d2: wan.addr.p2 },
): Promise<CascadeNats> {
  const pki = mkdtempSync(join(tmpdir(), 'lt-cascade-pki-'));
  const dirs = [pki];
  const procs: ChildProcess[] = [];
  const caDir = join(pki, 'ca');
  const names = { dns: [], ips: [...new Set([wan.addr.p1, wan.addr.p2, hubIp.d1, hubIp.d2])] };
  const cert = await ensureServerCert({ caDir, dir: join(pki, 'hub'), names });
  const password = { p: '', d1: '', d2: '' };
  for (const n of ['p', 'd1', 'd2'] as const) password[n] = randomBytes(18).toString('base64url');
  const leaf = async (name: 'd1' | 'd2') => {
    const tls = await ensureClientCert({ caDir, dir: join(pki, name), commonName: leafCertName(ids[name]) });
    return leafConfig({
      serverId: ids[name],
      clientPort: 4222,
      clientPassword: password[name],
      hubUrl: `nats-leaf://${hubIp[name]}:7422`,
      tls,
    });
  };
  const hub = hubConfig({
    serverId: ids.p,
    clientPort: 4222,
    clientPassword: password.p,
    leafListen: { ip: '0.0.0.0', port: 7422 },
    tls: cert,
    districts: [ids.d1, ids.d2],
  });
  for (const n of [startNats(wan.ns.p, hub), startNats(wan.ns.d1, await leaf('d1')), startNats(wan.ns.d2, await leaf('d2'))]) {
    procs.push(n.child);
    dirs.push(n.dir);
  }
  await new Promise((r) => setTimeout(r, 500));
  const url = (name: ServerName) => `nats://${clientUser(ids[name])}:${password[name]}@127.0.0.1:4222`;
  return { urls: { p: url('p'), d1: url('d1'), d2: url('d2') }, procs, dirs };
}

/** The WAN, NATS (hub at the province, leaves at the districts) and the three cascade nodes, all reaching each other. */
export async function startCascadeWan(meetingId: string): Promise<CascadeWan> {
  const wan = createWan();
  const nats = await startCascadeNats(wan);
  const procs = nats.procs;
  const dirs = nats.dirs;
  const url = (name: ServerName) => nats.urls[name];
  const specs: Record<ServerName, [Record<string, string>, Record<string, string>, string | null]> = {
    p: [{ d1: wan.addr.p1, d2: wan.addr.p2 }, { d1: 'd1', d2: 'd2' }, null],
    d1: [{ p: wan.addr.d1 }, { p: 'p', d2: 'p' }, 'p'],
    d2: [{ p: wan.addr.d2 }, { p: 'p', d1: 'p' }, 'p'],
  };
  const nodes = {} as Record<ServerName, CascadeNodeProc>;
  const startNode = async (name: ServerName) => {
    const [ips, routes, parent] = specs[name];
    nodes[name] = await startCascadeNode(wan.ns[name], name, url(name), ips, routes, parent);
    await nodes[name].call('join', { meetingId });
    return nodes[name];
  };
  const stop = async () => {
    for (const n of Object.values(nodes)) n.kill();
    for (const p of procs) p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    wan.remove();
    for (const d of dirs) removeDir(d);
  };
  try {
    for (const name of ['p', 'd1', 'd2'] as const) await startNode(name);
    const deadline = Date.now() + 20_000;
    for (const [a, b] of [
      ['d1', 'd2'],
      ['d2', 'd1'],
      ['p', 'd1'],
    ] as const) {
      while (!(await nodes[a].call<{ reaches: boolean }>('reaches', { server: b })).reaches) {
        if (Date.now() > deadline) throw new Error(`${a} never reached ${b} over NATS`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { wan, nodes, startNode, track: (p) => procs.push(p), stop };
}
