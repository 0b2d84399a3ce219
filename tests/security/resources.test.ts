// Resource exhaustion against the real sfu-server: leaks on refused joins, unbounded sockets and
// participants per user or address, request floods, duplicated consumers, and receive modes the
// server must enforce itself (a client asking for video in audio-only mode, more layers in low).
import { Worker } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, code, opusProducer } from '../support/socket';
import { count } from './support';

const SOCKETS_PER_ADDRESS = 8;
const CONSUMERS_PER_PEER = 3;

let sfu: SfuProcess;
let meetingId: string;
let caps: Record<string, unknown>;
const tokens = new Map<string, string>();
const opened: Socket[] = [];

beforeAll(async () => {
  sfu = await startSfuServer({
    extraConfig: ['limits:', `  socketsPerAddress: ${SOCKETS_PER_ADDRESS}`, `  consumersPerPeer: ${CONSUMERS_PER_PEER}`].join('\n'),
  });
  const t = await token('daibieu.sc');
  const list = (await (await fetch(`${sfu.url}/api/meetings/upcoming`, { headers: { authorization: `Bearer ${t}` } })).json()) as {
    meetings: { id: string; phase: string }[];
  };
  meetingId = list.meetings.find((m) => m.phase === 'live')!.id;
  const s = await open('daibieu.sc');
  caps = (await ask(s, 'router:capabilities', {})).data!.routerRtpCapabilities as Record<string, unknown>;
  s.close();
});
afterAll(async () => {
  for (const s of opened) s.close();
  await sfu?.stop();
});

async function token(user: string): Promise<string> {
  if (!tokens.has(user)) tokens.set(user, await login(sfu.url, user, 'lienthong123'));
  return tokens.get(user)!;
}

/** Each user at its own PC: a loopback address of its own (each 127.x is another PC to the server). */
const pcs = new Map<string, string>();
const pcOf = (user: string) => {
  if (!pcs.has(user)) pcs.set(user, `127.0.50.${pcs.size + 1}`);
  return pcs.get(user)!;
};

/** A socket of `user`, from its PC or a chosen address. */
async function open(user: string, from = pcOf(user)): Promise<Socket> {
  const s = await connectFrom(sfu.url, await token(user), from);
  opened.push(s);
  return s;
}

const tryOpen = async (user: string, from = pcOf(user)) => connectCode(connectFrom(sfu.url, await token(user), from));

function connectFrom(url: string, t: string, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, {
      path: '/socket.io',
      auth: { token: t },
      transports: ['websocket'],
      reconnection: false,
      localAddress: from,
    } as never);
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
}

/** The code a refused connection got (connect_error's message), or OK. */
const connectCode = (p: Promise<Socket>) =>
  p.then(
    (s) => {
      opened.push(s);
      return 'OK';
    },
    (e: Error) => e.message,
  );

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function metrics(): Promise<string> {
  return (await fetch(`${sfu.url}/metrics`)).text();
}

/** Sum of a series' samples whose labels contain `labels`. */
function sample(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+)(\{[^}]*\})? (\S+)$/);
    if (m && m[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
  }
  return sum;
}

/** What a leak would leave behind: routers in the workers, rooms, and room listeners on the worker pool. */
async function footprint() {
  const m = await metrics();
  return {
    routers: sample(m, 'lienthong_mediasoup_routers'),
    selftestRooms: sample(m, 'lienthong_rooms_open', 'kind="selftest"'),
    meetingRooms: sample(m, 'lienthong_rooms_open', 'kind="meeting"'),
    poolListeners: sample(m, 'lienthong_mediasoup_pool_listeners'),
  };
}

const vp8Producer = (ssrc: number, cname: string) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
  encodings: [{ ssrc }],
  rtcp: { cname },
});

/** Joins the live meeting and produces a microphone and a camera (no media needs to flow). */
async function producingSite(user: string, ssrc: number) {
  const s = await open(user);
  expect((await ask(s, 'meeting:join', { meetingId, rtpCapabilities: caps })).ok).toBe(true);
  const transportId = (await ask(s, 'media:createTransport', { direction: 'send' })).data!.id as string;
  const mic = await ask(s, 'media:produce', { transportId, kind: 'audio', rtpParameters: opusProducer(ssrc, user), source: 'mic' });
  const cam = await ask(s, 'media:produce', { transportId, kind: 'video', rtpParameters: vp8Producer(ssrc + 1, user), source: 'camera' });
  return { socket: s, mic: mic.data!.producerId as string, cam: cam.data!.producerId as string };
}

/** Joins the live meeting with a receive transport. */
async function receivingSite(user: string): Promise<Socket> {
  const s = await open(user);
  expect((await ask(s, 'meeting:join', { meetingId, rtpCapabilities: caps })).ok).toBe(true);
  expect((await ask(s, 'media:createTransport', { direction: 'recv' })).ok).toBe(true);
  return s;
}

describe('refused joins leave nothing behind', () => {
  it('selftest:join with bad capabilities, or twice at once, leaks no router, room or worker listener', async () => {
    const before = await footprint();
    const sockets: Socket[] = [];
    for (const user of ['daibieu.tptn', 'daibieu.sc', 'daibieu.py', 'daibieu.dh']) {
      for (let i = 0; i < 3; i++) sockets.push(await open(user));
    }
    // 48 refused self-tests, four at a time on each socket.
    const bad = { rtpCapabilities: { codecs: 'not-a-list' } };
    const codes = await Promise.all(sockets.flatMap((s) => [0, 1, 2, 3].map(() => code(ask(s, 'selftest:join', bad)))));
    expect(count(codes)).toEqual({ BAD_REQUEST: 48 });
    expect(await footprint()).toEqual(before);
    // Two good self-tests at once on one socket: one room, and it goes with the socket.
    const twice = await Promise.all([0, 1].map(() => code(ask(sockets[0]!, 'selftest:join', { rtpCapabilities: caps }))));
    expect(twice).toEqual(['OK', 'OK']);
    for (const s of sockets) s.close();
    await until(async () => (await footprint()).selftestRooms === before.selftestRooms).catch(() => undefined);
    expect(await footprint()).toEqual(before);
    expect(sfu.output()).not.toMatch(/MaxListenersExceededWarning/);
  });
});

describe('sockets and participants are bounded per user and per address', () => {
  it('refuses a sixth socket of one user with TOO_MANY_SOCKETS; closing one makes room', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await open('kythuat.tinh'));
    expect(await tryOpen('kythuat.tinh')).toBe('TOO_MANY_SOCKETS');
    // Not from another PC either; another user is not affected.
    expect(await tryOpen('kythuat.tinh', '127.0.41.1')).toBe('TOO_MANY_SOCKETS');
    expect(await tryOpen('mang.tinh')).toBe('OK');
    mine[0]!.close();
    await until(async () => (await tryOpen('kythuat.tinh')) === 'OK');
    for (const s of mine) s.close();
  });

  it('refuses connections past the per-address cap with TOO_MANY_CONNECTIONS; another address still connects', async () => {
    const here = [];
    for (const user of ['xa.cuvan', 'xa.hungson'])
      for (let i = 0; i < SOCKETS_PER_ADDRESS / 2; i++) here.push(await open(user, '127.0.40.1'));
    expect(await tryOpen('xa.labang', '127.0.40.1')).toBe('TOO_MANY_CONNECTIONS');
    expect(await tryOpen('xa.labang', '127.0.40.2')).toBe('OK');
    for (const s of here) s.close();
  });

  it('refuses a fourth meeting participant of one user with TOO_MANY_PEERS; leaving makes room', async () => {
    const sockets = [];
    for (let i = 0; i < 4; i++) sockets.push(await open('daibieu.dt'));
    const codes = [];
    for (const s of sockets) codes.push(await code(ask(s, 'meeting:join', { meetingId, rtpCapabilities: caps })));
    expect(codes).toEqual(['OK', 'OK', 'OK', 'TOO_MANY_PEERS']);
    expect(await code(ask(sockets[0]!, 'meeting:leave', {}))).toBe('OK');
    expect(await code(ask(sockets[3]!, 'meeting:join', { meetingId, rtpCapabilities: caps }))).toBe('OK');
    for (const s of sockets) s.close();
  });
});

describe('a request flood slows only the flooding socket', () => {
  it('answers the excess with RATE_LIMITED, closes the flooder, and others stay quick', async () => {
    const other = await open('daibieu.pb');
    // The flooder runs in its own thread so that its own work does not delay the probe's client.
    const flood = floodFrom(await token('daibieu.vn'), 5000);
    await new Promise((r) => setTimeout(r, 50));
    const ms: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      expect((await ask(other, 'router:capabilities', {})).ok).toBe(true);
      ms.push(performance.now() - t0);
    }
    const { codes, dropped } = await flood;
    ms.sort((a, b) => a - b);
    const p95 = ms[Math.floor(ms.length * 0.95)]!;
    expect(codes.RATE_LIMITED ?? 0).toBeGreaterThan(1000);
    expect(codes.OK ?? 0).toBeLessThan(1000); // the burst and the sustained rate, no more
    expect(dropped).toBe(true); // sustained abuse closes the connection
    expect(p95, `probe latencies ${ms.map(Math.round).join(' ')}`).toBeLessThan(200);
    // The other client was never limited.
    expect(await code(ask(other, 'router:capabilities', {}))).toBe('OK');
  });
});

/** Sends `n` requests as fast as one socket can, from a worker thread; tallies the acks. */
function floodFrom(t: string, n: number): Promise<{ codes: Record<string, number>; dropped: boolean }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { io } = require('socket.io-client');
    const s = io(workerData.url, { path: '/socket.io', auth: { token: workerData.token }, transports: ['websocket'], reconnection: false, localAddress: workerData.from });
    let dropped = false;
    s.on('disconnect', () => { dropped = true; });
    s.once('connect', async () => {
      const codes = {};
      await Promise.all(Array.from({ length: workerData.n }, () => new Promise((resolve) =>
        s.timeout(15000).emit('router:capabilities', {}, (err, ack) => {
          const c = err ? 'NO_ACK' : (ack.error ? ack.error.code : 'OK');
          codes[c] = (codes[c] || 0) + 1;
          resolve();
        }))));
      s.close();
      parentPort.postMessage({ codes, dropped });
    });
  `;
  const worker = new Worker(source, { eval: true, workerData: { url: sfu.url, token: t, n, from: pcOf('daibieu.vn') } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('consumers', () => {
  it('consuming one producer again returns the same consumer; consumers per peer are capped', async () => {
    const a = await producingSite('daibieu.sc', 31_000_000);
    const c = await producingSite('daibieu.pl', 32_000_000);
    const b = await receivingSite('daibieu.py');
    const at = await Promise.all([0, 1, 2].map(() => ask(b, 'media:consume', { producerId: a.mic })));
    const later = [await ask(b, 'media:consume', { producerId: a.mic }), await ask(b, 'media:consume', { producerId: a.mic })];
    const ids = new Set([...at, ...later].map((r) => r.data?.consumerId ?? r.error?.code));
    expect([...ids]).toHaveLength(1);
    expect(sample(await metrics(), 'lienthong_meeting_consumers', `meeting="${meetingId}"`)).toBe(1);
    expect(await code(ask(b, 'media:consume', { producerId: a.cam }))).toBe('OK');
    expect(await code(ask(b, 'media:consume', { producerId: c.mic }))).toBe('OK');
    expect(await code(ask(b, 'media:consume', { producerId: c.cam }))).toBe('TOO_MANY_CONSUMERS');
    expect(sample(await metrics(), 'lienthong_meeting_consumers', `meeting="${meetingId}"`)).toBe(CONSUMERS_PER_PEER);
    b.close();
  });
});

describe('receive modes are enforced by the server', () => {
  it('an audio-only receiver cannot consume video, and its video consumers close when it switches', async () => {
    const a = await producingSite('daibieu.tptn', 33_000_000);
    const d = await receivingSite('daibieu.dhy');
    const cam = await ask(d, 'media:consume', { producerId: a.cam });
    expect(cam.ok).toBe(true);
    const mic = await ask(d, 'media:consume', { producerId: a.mic });
    expect(mic.ok).toBe(true);
    const closed: string[] = [];
    d.on('media:consumerClosed', ({ consumerId }: { consumerId: string }) => closed.push(consumerId));
    expect(await code(ask(d, 'meeting:setReceiveMode', { mode: 'audio-only' }))).toBe('OK');
    await until(async () => closed.length > 0, 2000).catch(() => undefined);
    expect(closed).toEqual([cam.data!.consumerId]);
    expect(await code(ask(d, 'media:resumeConsumer', { consumerId: cam.data!.consumerId }))).toBe('CONSUMER_NOT_FOUND');
    expect(await code(ask(d, 'media:consume', { producerId: a.cam }))).toBe('RECEIVE_MODE_AUDIO_ONLY');
    expect(await code(ask(d, 'media:resumeConsumer', { consumerId: mic.data!.consumerId }))).toBe('OK');
    // Back to low bandwidth: video again (its layers capped by the server).
    expect(await code(ask(d, 'meeting:setReceiveMode', { mode: 'low' }))).toBe('OK');
    const again = await ask(d, 'media:consume', { producerId: a.cam });
    expect(again.ok).toBe(true);
    expect(await code(ask(d, 'media:setConsumerLayers', { consumerId: again.data!.consumerId, spatialLayer: 2 }))).toBe('OK');
  });
});
