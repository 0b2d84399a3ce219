// Each server of a cascade speaks only as itself, and the real nats-server enforces it: a hub
// ("p") and two leaves ("d1", "d2") on loopback, configured by nats-config.ts, with certificates
// from a CA of this run. A district's own NATS user cannot publish as another server; a district
// that tampers with its own nats-server still cannot get a forged subject past the hub; and a body
// naming another server than its subject gets CASCADE_FORGED from the bus.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { ensureClientCert, ensureServerCert } from '@lienthong/kit/tls';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CascadeBus } from '../src/cascade/bus';
import { clientUser, hubConfig, leafCertName, leafConfig } from '../src/cascade/nats-config';
import { cascadeSubjects, EmptyAnswer, PingAnswer, type ProducerEvent, Release } from '../src/protocol/cascade';

const MEETING = 'm-identity';
const dir = mkdtempSync(join(tmpdir(), 'lt-nats-identity-'));
const children: ChildProcess[] = [];
const buses: Record<string, CascadeBus> = {};
const logs: Record<string, string[]> = { p: [], d1: [], d2: [] };
const heard: Record<string, ProducerEvent[]> = { p: [], d1: [], d2: [] };
const released: string[] = [];
const passwords = { p: 'province-password-0001', d1: 'district-1-password-01', d2: 'district-2-password-02' };
const ports = { p: 0, d1: 0, d2: 0, leaf: 0 };
let caDir = '';
const certs: Record<string, { certFile: string; keyFile: string; caFile: string }> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function startNats(name: string, config: string): void {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, config);
  children.push(spawn('nats-server', ['-c', file], { stdio: 'ignore' }));
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const event = (origin: string, producerId: string): ProducerEvent => ({
  meetingId: MEETING,
  origin,
  producerId,
  event: 'close',
  kind: 'video',
  appData: {},
});
const url = (id: keyof typeof passwords) => `nats://${clientUser(id)}:${passwords[id]}@127.0.0.1:${ports[id]}`;

/** A leaf connection spoken by hand with a district's certificate: what a tampered nats-server could send the hub. */
async function rawLeaf(tls: { certFile: string; keyFile: string; caFile: string }, lines: string[]): Promise<string> {
  const sock = netConnect(ports.leaf, '127.0.0.1');
  await new Promise((r) => sock.once('data', r)); // INFO, in clear text before TLS in nats-server 2.9
  const t = tlsConnect({
    socket: sock,
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ca: readFileSync(tls.caFile),
    checkServerIdentity: (_host, cert) => checkServerIdentity('127.0.0.1', cert),
  });
  await new Promise((r, j) => t.once('secureConnect', r).once('error', j));
  let said = '';
  t.on('data', (d: Buffer) => {
    said += d.toString();
  });
  t.on('error', () => undefined);
  t.write('CONNECT {"tls_required":true,"name":"tampered","headers":false}\r\nPING\r\n');
  await sleep(300);
  t.write(`${lines.join('')}PING\r\n`);
  await sleep(500);
  t.destroy();
  return said;
}

beforeAll(async () => {
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  caDir = join(dir, 'ca');
  const hub = await ensureServerCert({ caDir, dir: join(dir, 'hub'), names: { dns: [], ips: ['127.0.0.1'] } });
  for (const d of ['d1', 'd2', 'd9']) certs[d] = await ensureClientCert({ caDir, dir: join(dir, d), commonName: leafCertName(d) });
  startNats(
    'hub',
    hubConfig({
      serverId: 'p',
      clientPort: ports.p,
      clientPassword: passwords.p,
      leafListen: { ip: '127.0.0.1', port: ports.leaf },
      tls: hub,
      districts: ['d1', 'd2'],
    }),
  );
  await sleep(300);
  for (const d of ['d1', 'd2'] as const) {
    const hubUrl = `nats-leaf://127.0.0.1:${ports.leaf}`;
    startNats(d, leafConfig({ serverId: d, clientPort: ports[d], clientPassword: passwords[d], hubUrl, tls: certs[d]! }));
  }
  await sleep(300);
  for (const id of ['p', 'd1', 'd2'] as const) {
    const bus = await CascadeBus.open({ url: url(id), serverId: id, requestTimeoutMs: 1000, log: (m) => logs[id]!.push(m) });
    buses[id] = bus;
    bus.serve('ping', EmptyAnswer, async () => ({ bootId: `boot-${id}` }));
    bus.serve('release', Release, async (r, from) => {
      released.push(`${from}:${r.producerId}`);
      return {};
    });
    bus.onProducerEvents(MEETING, (e) => heard[id]!.push(e));
  }
  const reaches = (a: string, b: string) =>
    buses[a]!.request(b, 'ping', {}, PingAnswer).then(
      () => true,
      () => false,
    );
  await until(
    'every server reaching every other',
    async () => (await reaches('p', 'd1')) && (await reaches('d1', 'd2')) && (await reaches('d2', 'p')),
  );
}, 30_000);

afterAll(async () => {
  for (const b of Object.values(buses)) await b.close();
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('cascade identity, enforced by nats-server', () => {
  it('honest traffic flows: requests and answers between every pair, events to every other server', async () => {
    for (const [a, b] of [
      ['p', 'd1'],
      ['d1', 'p'],
      ['d1', 'd2'],
      ['d2', 'd1'],
      ['p', 'd2'],
      ['d2', 'p'],
    ] as const) {
      expect(await buses[a]!.request(b, 'ping', {}, PingAnswer)).toEqual({ bootId: `boot-${b}` });
    }
    await buses.d1!.request('p', 'release', { meetingId: MEETING, from: 'd1', producerId: 'honest-1' }, EmptyAnswer);
    expect(released).toContain('d1:honest-1');
    buses.d1!.publish(event('d1', 'honest-ev'));
    await until('the event at p and d2', () => [heard.p, heard.d2].every((h) => h!.some((e) => e.producerId === 'honest-ev')));
  });

  it("a district's own NATS user cannot publish as another server, nor read another server's requests", async () => {
    const nc = await connect({ servers: `127.0.0.1:${ports.d1}`, user: clientUser('d1'), pass: passwords.d1, inboxPrefix: '_INBOX.d1' });
    const errors: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.data));
    })();
    const refused = new Promise<string>((resolve) =>
      nc.subscribe(cascadeSubjects.request('d2', 'pull', cascadeSubjects.ANY), { callback: (err) => resolve(String(err?.message)) }),
    );
    const body = (e: ProducerEvent) => new TextEncoder().encode(JSON.stringify(e));
    nc.publish(cascadeSubjects.producers(MEETING, 'd2'), body(event('d2', 'forged-by-user')));
    nc.publish(cascadeSubjects.producers(MEETING, 'd1'), body(event('d1', 'after-user')));
    await nc.flush();
    expect(await refused).toMatch(/Permissions Violation for Subscription to "lt\.srv\.d2\.pull\.\*"/);
    await until('the honest event after it', () => heard.p!.some((e) => e.producerId === 'after-user'));
    await until('the violation reported', () => errors.includes('PERMISSIONS_VIOLATION'));
    expect([...heard.p!, ...heard.d2!].map((e) => e.producerId)).not.toContain('forged-by-user');
    await nc.close();
  });

  it('a district that tampers with its own nats-server still cannot get a forged subject past the hub', async () => {
    const lmsg = (subject: string, payload: string) => `LMSG ${subject} ${Buffer.byteLength(payload)}\r\n${payload}\r\n`;
    const said = await rawLeaf(certs.d1!, [
      lmsg(cascadeSubjects.producers(MEETING, 'd2'), JSON.stringify(event('d2', 'forged-by-leaf'))),
      lmsg(cascadeSubjects.request('p', 'release', 'd2'), JSON.stringify({ meetingId: MEETING, from: 'd2', producerId: 'forged-release' })),
      lmsg(cascadeSubjects.producers(MEETING, 'd1'), JSON.stringify(event('d1', 'after-leaf'))),
    ]);
    expect(said).toContain('PONG');
    // Sent after the forged ones on the same connection: once it is in, they would have been too.
    await until('the honest message after them', () => [heard.p, heard.d2].every((h) => h!.some((e) => e.producerId === 'after-leaf')));
    expect([...heard.p!, ...heard.d2!].map((e) => e.producerId)).not.toContain('forged-by-leaf');
    expect(released.join(' ')).not.toContain('forged-release');
  });

  it('a certificate from the CA that names no district of this hub is refused', async () => {
    const said = await rawLeaf(certs.d9!, [`LMSG ${cascadeSubjects.producers(MEETING, 'd9')} 2\r\n{}\r\n`]);
    expect(said).toMatch(/Authorization Violation/);
    expect(said).not.toContain('PONG');
  });

  it('a body naming another server than its subject gets CASCADE_FORGED, and changes nothing', async () => {
    const forged = buses.d1!.request('p', 'release', { meetingId: MEETING, from: 'd2', producerId: 'forged-body' }, EmptyAnswer);
    await expect(forged).rejects.toMatchObject({ code: 'CASCADE_FORGED' });
    expect(released.join(' ')).not.toContain('forged-body');
    buses.d1!.publish(event('d2', 'forged-origin'));
    buses.d1!.publish(event('d1', 'after-origin'));
    await until('the honest event after it', () => [heard.p, heard.d2].every((h) => h!.some((e) => e.producerId === 'after-origin')));
    expect([...heard.p!, ...heard.d2!].map((e) => e.producerId)).not.toContain('forged-origin');
    expect(logs.p!.join('\n')).toMatch(/CASCADE_FORGED producer event from d1 claiming d2/);
  });
});
