// The meeting rooms of two media servers (province, district) joined by the cascade, on loopback:
// each server's MediaRoom announces the producers of the other's sites and a peer here consumes
// them like local ones. The district's camera is decoded at the province; the copy crosses only
// while watched; closing and pausing follow the origin; a meeting the province only relays works too.
import { type ChildProcess, spawn } from 'node:child_process';
import { createLogger } from '@lienthong/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaHost } from '../../sfu-server/src/cascade/media-host';
import { type Cascade, startCascade } from '../../sfu-server/src/cascade/start-cascade';
import { sfuDefaults } from '../../sfu-server/src/config/schema';
import { MediaRoom } from '../../sfu-server/src/media/media-room';
import { MediaWorkerPool } from '../../sfu-server/src/media/worker-pool';
import type { ProducerAnnouncement } from '../../sfu-server/src/protocol/media';
import { simulcastCamera, type Vp8Decoder, vp8Decoder } from '../support/cascade-wan';
import { freeMediaBasePort, freePort } from '../support/ports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = createLogger({ level: 'warn', service: 'cascade-rooms-test' });
const fast = {
  logger,
  maxPeersPerRouter: 40,
  timing: { ping: { intervalMs: 500, timeoutMs: 400, misses: 3 }, rosterEveryMs: 1000, releaseAfterMs: 1500 },
};

async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function pool(): Promise<MediaWorkerPool> {
  const p = new MediaWorkerPool({
    workers: 1,
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    basePort: await freeMediaBasePort(1),
    logLevel: 'warn',
    logger,
  });
  await p.start();
  return p;
}

const room = (pool: MediaWorkerPool, meetingId: string) => new MediaRoom(`meeting:${meetingId}`, { pool, logger, maxPeersPerRouter: 40 });

/** A site at this server sending simulcast VP8 from GStreamer, as a room system would over plain RTP. */
async function camera(r: MediaRoom, peerId: string, ssrcs: [number, number, number]) {
  await r.addPeer(peerId);
  const t = await r.createPlainTransport!(peerId, 'send', { listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
  const vp8 = {
    mimeType: 'video/VP8',
    clockRate: 90000,
    payloadType: 101,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
  };
  const producerId = await r.produce(
    peerId,
    t.id,
    'video',
    { codecs: [vp8], encodings: ssrcs.map((ssrc) => ({ ssrc })), rtcp: { cname: peerId } },
    'camera',
  );
  return { producerId, gst: simulcastCamera('', t.port, ssrcs) };
}

/** A site at this server receiving one producer over plain RTP into a GStreamer decoder. */
async function viewer(r: MediaRoom, peerId: string, producerId: string): Promise<{ dec: Vp8Decoder; consumerId: string }> {
  if (!r.hasPeer(peerId)) {
    await r.addPeer(peerId);
    r.setRtpCapabilities(peerId, (await r.rtpCapabilities()) as Record<string, unknown>);
  }
  const port = await freePort();
  const t = await r.createPlainTransport!(peerId, 'recv', { listenIp: '127.0.0.1', comedia: false, rtcpMux: true });
  await r.connectPlainTransport(peerId, t.id, { ip: '127.0.0.1', port });
  const c = await r.consume(peerId, producerId);
  await r.resumeConsumer(peerId, c.consumerId);
  const pt = (c.rtpParameters as { codecs: { payloadType: number }[] }).codecs[0]!.payloadType;
  return { dec: vp8Decoder('', port, pt), consumerId: c.consumerId };
}

describe('cascade: the meeting rooms of a province and a district server', () => {
  let nats: ChildProcess;
  const pools: MediaWorkerPool[] = [];
  const cascades: Cascade[] = [];
  const children: ChildProcess[] = [];
  const decoders: Vp8Decoder[] = [];
  let prov: Cascade;
  let dist: Cascade;
  let natsUrl = '';

  beforeAll(async () => {
    const natsPort = await freePort();
    nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], { stdio: 'ignore' });
    await sleep(500);
    natsUrl = `nats://127.0.0.1:${natsPort}`;
    const base = { ...sfuDefaults.cascade, natsUrl, linkIp: '127.0.0.1' };
    const [pp, pd] = [await pool(), await pool()];
    pools.push(pp, pd);
    prov = (await startCascade({ ...base, serverId: 'prov', children: ['d1', 'd2'] }, pp, fast))!;
    dist = (await startCascade({ ...base, serverId: 'd1', parent: 'prov' }, pd, fast))!;
    cascades.push(prov, dist);
    await until(
      () => prov.node.neighbourStates().d1,
      (s) => s === 'up',
      10_000,
      'the district answering pings',
    );
  }, 60_000);

  afterAll(async () => {
    for (const d of decoders) d.stop();
    for (const c of children) c.kill('SIGKILL');
    for (const c of cascades) await c.close();
    for (const p of pools) await p.close();
    nats?.kill('SIGKILL');
  });

  /** A camera at one server's room, announced at another's. */
  async function cameraSeenAt(at: MediaRoom, from: MediaRoom, peerId: string, ssrcs: [number, number, number], what: string) {
    const cam = await camera(from, peerId, ssrcs);
    children.push(cam.gst);
    await until(
      () => at.announcements(),
      (a) => a.some((x) => x.producerId === cam.producerId),
      10_000,
      what,
    );
    return cam;
  }

  it("offers the district's camera to the province's room, decodes it there, and follows pause and close", async () => {
    const meeting = 'm-rooms-1';
    const atProvince = room(pools[0]!, meeting);
    const atDistrict = room(pools[1]!, meeting);
    prov.rooms.attach(meeting, atProvince);
    dist.rooms.attach(meeting, atDistrict);
    const added: ProducerAnnouncement[] = [];
    atProvince.on('producerAdded', (a) => added.push(a));
    const closed: string[] = [];
    atProvince.on('producerClosed', (id) => closed.push(id));
    const paused: boolean[] = [];
    atProvince.on('producerPaused', (_id, _peer, p) => paused.push(p));

    const cam = await cameraSeenAt(atProvince, atDistrict, 'site-xa', [1111, 2222, 3333], 'the announcement');
    expect(added.find((a) => a.producerId === cam.producerId)).toMatchObject({ peerId: 'site-xa', kind: 'video', source: 'camera' });
    expect(atProvince.producerKind(cam.producerId)).toBe('video');
    // Nothing crosses before someone at the province watches.
    expect(prov.node.remoteCopy(cam.producerId)).toBeUndefined();

    const v = await viewer(atProvince, 'site-tinh', cam.producerId);
    decoders.push(v.dec);
    await until(
      () => v.dec.frames(),
      (n) => n >= 30,
      20_000,
      'frames decoded at the province',
    );
    expect(prov.node.remoteCopy(cam.producerId)).toBeDefined();

    await atDistrict.setProducerPaused('site-xa', cam.producerId, true);
    await until(
      () => paused,
      (p) => p.includes(true),
      5000,
      'the pause at the province',
    );
    await atDistrict.setProducerPaused('site-xa', cam.producerId, false);
    await until(
      () => paused,
      (p) => p.at(-1) === false,
      5000,
      'the resume at the province',
    );

    // The watcher leaves: the copy is released; the producer stays offered.
    await atProvince.closeConsumer('site-tinh', v.consumerId);
    await until(
      () => prov.node.remoteCopy(cam.producerId),
      (c) => c === undefined,
      10_000,
      'the release of the copy',
    );
    expect(atProvince.announcements().some((a) => a.producerId === cam.producerId)).toBe(true);

    await atDistrict.closeProducer('site-xa', cam.producerId);
    await until(
      () => closed,
      (c) => c.includes(cam.producerId),
      5000,
      'the close at the province',
    );
    expect(atProvince.announcements().some((a) => a.producerId === cam.producerId)).toBe(false);
    await expect(atProvince.consume('site-tinh', cam.producerId)).rejects.toMatchObject({ code: 'PRODUCER_NOT_FOUND' });
    atProvince.close();
    atDistrict.close();
  }, 90_000);

  it("a watcher's layer cap from adaptation is what crosses the link, and lifting it brings the top layer back", async () => {
    const meeting = 'm-rooms-shed';
    const atProvince = room(pools[0]!, meeting);
    const atDistrict = room(pools[1]!, meeting);
    prov.rooms.attach(meeting, atProvince);
    dist.rooms.attach(meeting, atDistrict);
    const cam = await cameraSeenAt(atProvince, atDistrict, 'site-xd', [7771, 7772, 7773], 'the announcement');
    const v = await viewer(atProvince, 'site-tinh-2', cam.producerId);
    decoders.push(v.dec);
    await atProvince.setConsumerLayers('site-tinh-2', v.consumerId, 2);
    /** Bytes per second the district's link sent toward the province. */
    const rate = async (ms: number) => {
      const a = await dist.node.linkBytes(meeting, 'prov');
      await sleep(ms);
      const b = await dist.node.linkBytes(meeting, 'prov');
      return ((b.sent - a.sent) * 1000) / ms;
    };
    await until(
      () => v.dec.sizes(),
      (sz) => sz.has(640 * 360 * 1.5),
      20_000,
      'the top layer at the province',
    );
    const top = await until(
      () => rate(2000),
      (r) => r > 0,
      10_000,
      'bytes on the link',
    );
    // The province's link to the viewer is judged thin: its video is capped to the lowest layer.
    await atProvince.shedVideo('site-tinh-2', [{ consumerId: v.consumerId, shed: false, maxSpatialLayer: 0 }]);
    const low = await until(
      () => rate(2000),
      (r) => r < 0.35 * top,
      15_000,
      'the link down to the low layer',
    );
    await atProvince.shedVideo('site-tinh-2', [{ consumerId: v.consumerId, shed: false, maxSpatialLayer: null }]);
    const back = await until(
      () => rate(2000),
      (r) => r > 2 * low,
      20_000,
      'the top layer back on the link',
    );
    console.log(`link bytes/s toward the province: top ${Math.round(top)}, capped ${Math.round(low)}, lifted ${Math.round(back)}`);
    atProvince.close();
    atDistrict.close();
  }, 90_000);

  it('relays between two districts through a province with no site of its own in the meeting', async () => {
    const meeting = 'm-rooms-2';
    const pd2 = await pool();
    pools.push(pd2);
    const d2 = (await startCascade({ ...sfuDefaults.cascade, natsUrl, serverId: 'd2', parent: 'prov', linkIp: '127.0.0.1' }, pd2, fast))!;
    cascades.push(d2);
    await until(
      () => prov.node.neighbourStates().d2,
      (s) => s === 'up',
      10_000,
      'district 2 answering',
    );
    const atD1 = room(pools[1]!, meeting);
    const atD2 = room(pd2, meeting);
    dist.rooms.attach(meeting, atD1);
    d2.rooms.attach(meeting, atD2);
    const cam = await cameraSeenAt(atD2, atD1, 'site-xb', [4444, 5555, 6666], 'the announcement at d2');
    const v = await viewer(atD2, 'site-xc', cam.producerId);
    decoders.push(v.dec);
    await until(
      () => v.dec.frames(),
      (n) => n >= 30,
      30_000,
      'frames decoded at district 2',
    );
    atD1.close();
    atD2.close();
  }, 90_000);

  it('a district host takes media calls from its parent only, and drops the peers its parent no longer places there', async () => {
    let answer: string[] | null = ['site-keep'];
    const host = new MediaHost({
      pool: pools[1]!,
      logger,
      rooms: dist.rooms,
      serverId: 'd1',
      parent: 'prov',
      publish: () => {},
      placed: async () => answer,
      maxPeersPerRouter: 40,
      sweepEveryMs: 3_600_000,
    });
    const call = (peerId: string, from = 'prov') => host.handle({ meetingId: 'm-rooms-3', from, peerId, op: 'addPeer' }, from);
    await expect(call('site-x', 'd2')).rejects.toMatchObject({ code: 'CASCADE_NOT_PARENT' });
    expect(host.peers('m-rooms-3')).toBe(0);
    await call('site-keep');
    await call('site-left-over');
    expect(host.peers('m-rooms-3')).toBe(2);
    // Left out, then not answered (cut off): nothing goes, and the time left out starts again.
    answer = ['site-keep'];
    await host.sweep(0);
    answer = null;
    await host.sweep(20_000);
    await host.sweep(60_000);
    expect(host.peers('m-rooms-3')).toBe(2);
    // Left out in every answer for 30 s (time for a page back from a cut to rejoin): its media goes.
    answer = ['site-keep'];
    await host.sweep(70_000);
    await host.sweep(99_000);
    expect(host.peers('m-rooms-3')).toBe(2);
    await host.sweep(100_000);
    expect(host.peers('m-rooms-3')).toBe(1);
    const t = await host.handle(
      { meetingId: 'm-rooms-3', from: 'prov', peerId: 'site-keep', op: 'createTransport', direction: 'recv' },
      'prov',
    );
    expect((t.result as { id: string }).id).toBeTruthy();
    await expect(
      host.handle({ meetingId: 'm-rooms-3', from: 'prov', peerId: 'site-left-over', op: 'createTransport', direction: 'recv' }, 'prov'),
    ).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    host.close();
  }, 30_000);
});
