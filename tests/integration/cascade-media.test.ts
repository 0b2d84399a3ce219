// Media across a cascade of three servers (province, two districts), each a process in its own
// network namespace, joined by veth WAN links and coordinated over NATS (hub at the province, leaf
// nodes at the districts). A district's camera (simulcast VP8) is decoded at the other district,
// two links away; the bytes on each link are one copy of what is consumed beyond it, however many
// watch it there, at the top layer someone there wants; a cut link comes back by itself.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type CascadeWan, simulcastCamera, startCascadeWan, type Vp8Decoder, vp8Decoder, type Wan } from '../support/cascade-wan';

const MEETING = 'm-cascade-1';
const SMALL = 160 * 90 * 1.5;
const LARGE = 640 * 360 * 1.5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(250);
  }
}

describe('cascade: one meeting over three servers, each stream crossing each link once', () => {
  let cw: CascadeWan;
  let wan: Wan;
  let nodes: CascadeWan['nodes'];
  const decoders: Vp8Decoder[] = [];
  let producerId = '';
  let d2Producer = '';
  /** The province's own sites watching district 1's camera. */
  const atProvince: Vp8Decoder[] = [];

  beforeAll(async () => {
    cw = await startCascadeWan(MEETING);
    ({ wan, nodes } = cw);
    const cam = await nodes.d1.call<{ producerId: string; port: number }>('ingest', { meetingId: MEETING, ssrcs: [1111, 2222, 3333] });
    producerId = cam.producerId;
    cw.track(simulcastCamera(wan.ns.d1, cam.port, [1111, 2222, 3333]));
    const cam2 = await nodes.d2.call<{ producerId: string; port: number }>('ingest', { meetingId: MEETING, ssrcs: [4444, 5555, 6666] });
    d2Producer = cam2.producerId;
    cw.track(simulcastCamera(wan.ns.d2, cam2.port, [4444, 5555, 6666]));
    for (const n of [nodes.p, nodes.d2]) {
      await waitFor(
        () => n.call<{ producers: string[] }>('remote', { meetingId: MEETING }),
        (r) => r.producers.includes(producerId),
        10_000,
        'announce',
      );
    }
  }, 90_000);

  afterAll(async () => {
    for (const d of decoders) d.stop();
    await cw?.stop();
  });

  /** A decoder in `ns` and a watcher sending to it. */
  async function watchAndDecode(at: 'p' | 'd1' | 'd2', id: string, layer: number, port: number) {
    const w = await nodes[at].call<{ watcherId: string; payloadType: number }>('watch', {
      meetingId: MEETING,
      producerId: id,
      layer,
      sinkPort: port,
    });
    const dec = vp8Decoder(wan.ns[at], port, w.payloadType);
    decoders.push(dec);
    return { ...w, dec };
  }

  /** Bytes per second on a province–district veth (both directions) and through the link transport. */
  async function measure(d: 'd1' | 'd2', ms: number) {
    const v0 = wan.linkBytes(d);
    const l0 = await nodes.p.call<{ sent: number; received: number }>('linkBytes', { meetingId: MEETING, peer: d });
    await sleep(ms);
    const v1 = wan.linkBytes(d);
    const l1 = await nodes.p.call<{ sent: number; received: number }>('linkBytes', { meetingId: MEETING, peer: d });
    const s = ms / 1000;
    return { veth: (v1.tx + v1.rx - v0.tx - v0.rx) / s, link: (l1.sent + l1.received - l0.sent - l0.received) / s };
  }

  it('a district camera is decoded at the other district, through the province; watchers there do not add link bytes', async () => {
    const first = await watchAndDecode('d2', producerId, 0, 25001);
    await waitFor(
      () => first.dec.frames(),
      (n) => n >= 30,
      20_000,
      'frames decoded at d2',
    );
    expect([...first.dec.sizes()]).toEqual([SMALL]);
    await sleep(2000);
    const one = await measure('d2', 5000);
    // Four more sites at d2 and two at the province watch the same picture.
    const more: { dec: { frames: () => number } }[] = [];
    for (let i = 0; i < 4; i++) more.push(await watchAndDecode('d2', producerId, 0, 25002 + i));
    for (let i = 0; i < 2; i++) {
      const w = await watchAndDecode('p', producerId, 0, 25010 + i);
      more.push(w);
      atProvince.push(w.dec);
    }
    await waitFor(
      () => more.map((m) => m.dec.frames()),
      (f) => f.every((n) => n >= 15),
      20_000,
      'frames at every watcher',
    );
    await sleep(2000);
    const seven = await measure('d2', 5000);
    const upstream = await measure('d1', 5000);
    console.log(
      `cascade link bytes/s: 1 watcher ${JSON.stringify(one)}, 7 watchers ${JSON.stringify(seven)}, d1 uplink ${JSON.stringify(upstream)}`,
    );
    // One copy: the veth carries what the link transport sends (plus headers and NATS), whatever the watchers.
    expect(one.link).toBeGreaterThan(2_000);
    expect(seven.veth).toBeLessThan(1.2 * one.link);
    expect(seven.veth).toBeLessThan(1.2 * seven.link);
    expect(upstream.veth).toBeLessThan(1.2 * upstream.link);
    expect(Math.abs(seven.link - one.link) / one.link).toBeLessThan(0.35);
    // The district's uplink carries it once too, though the province and d2 both watch it.
    expect(Math.abs(upstream.link - one.link) / one.link).toBeLessThan(0.35);
  }, 120_000);

  it('only the layer wanted beyond a link crosses it, and it follows the watchers', async () => {
    const low = await measure('d2', 4000);
    const big = await watchAndDecode('d2', producerId, 2, 25020);
    // The district's copy is now the top layer: its watchers decode 640×360, and the link carries more.
    await waitFor(
      () => big.dec.sizes(),
      (s) => s.has(LARGE),
      20_000,
      'top layer at d2',
    );
    // A layer switch waits for the top layer's keyframe and a good score: the link follows within seconds.
    const high = await waitFor(
      () => measure('d2', 2000),
      (m) => m.link > 2 * low.link,
      20_000,
      'the top layer on the link',
    );
    await nodes.d2.call('unwatch', { watcherId: big.watcherId });
    await sleep(3000);
    const back = await measure('d2', 4000);
    console.log(`cascade layer bytes/s: low ${low.link}, top ${high.link}, back ${back.link}`);
    expect(back.link).toBeLessThan(0.6 * high.link);
  }, 90_000);

  it('a district cut off from the province keeps its own media, and gets the meeting back by itself', async () => {
    const local = await watchAndDecode('d2', d2Producer, 0, 25030);
    const far = await watchAndDecode('d2', producerId, 0, 25031);
    await waitFor(
      () => [local.dec.frames(), far.dec.frames()],
      (f) => f.every((n) => n >= 15),
      20_000,
      'both pictures at d2',
    );
    wan.cut('d2');
    const cutAt = Date.now();
    onTestFinished(() => wan.restore('d2'));
    // Both sides see the link gone: the district knows it meets on its own.
    await waitFor(
      () => nodes.d2.call<{ isolated: boolean }>('status'),
      (s) => s.isolated,
      10_000,
      'd2 isolated',
    );
    await waitFor(
      () => nodes.p.call<{ neighbours: Record<string, string> }>('status'),
      (s) => s.neighbours.d2 === 'down',
      10_000,
      'p sees d2 down',
    );
    const cut = [local.dec.frames(), far.dec.frames(), ...atProvince.map((d) => d.frames())];
    // The link stays down for 60 s, as a WAN outage would.
    await sleep(Math.max(0, cutAt + 60_000 - Date.now()));
    // Local media went on; the far picture stopped, and d2 no longer lists the producers beyond the cut.
    expect(local.dec.frames() - cut[0]!).toBeGreaterThan(500);
    expect(far.dec.frames() - cut[1]!).toBeLessThan(5);
    // The rest of the meeting went on too: the province still decodes district 1's camera.
    for (const [i, d] of atProvince.entries()) expect(d.frames() - cut[2 + i]!).toBeGreaterThan(500);
    expect((await nodes.d2.call<{ producers: string[] }>('remote', { meetingId: MEETING })).producers).toEqual([]);
    wan.restore('d2');
    const restored = Date.now();
    await waitFor(
      () => far.dec.frames() - cut[1]!,
      (n) => n >= 30,
      30_000,
      'the far picture again after the link came back',
    );
    console.log(`cascade: far picture back ${Date.now() - restored} ms after the link returned`);
    expect((await nodes.d2.call<{ isolated: boolean }>('status')).isolated).toBe(false);
  }, 150_000);

  it('a neighbour asking nonsense gets a coded refusal, and no stream is ever sent back where it came from', async () => {
    const ask = (from: 'p' | 'd1' | 'd2', server: string, verb: string, body: unknown) =>
      nodes[from].call<{ answer: string; message?: string }>('raw', { server, verb, body });
    expect((await ask('d2', 'p', 'pull', { meetingId: MEETING })).answer).toBe('CASCADE_BAD_MESSAGE');
    expect((await ask('d2', 'p', 'pull', 'not an object')).answer).toBe('CASCADE_BAD_MESSAGE');
    const pull = { meetingId: MEETING, from: 'd2', producerId: 'no-such-producer', spatialLayer: 0 };
    expect((await ask('d2', 'p', 'pull', pull)).answer).toBe('CASCADE_UNKNOWN_PRODUCER');
    expect((await ask('d2', 'p', 'pull', { ...pull, spatialLayer: 7 })).answer).toBe('CASCADE_BAD_MESSAGE');
    // d1's own camera asked of the province by d1: the province would send it back where it came from.
    expect((await ask('d1', 'p', 'pull', { ...pull, from: 'd1', producerId })).answer).toBe('CASCADE_LOOP');
    expect((await ask('d2', 'p', 'release', { meetingId: MEETING, from: 'd2', producerId: 'nope' })).answer).toBe('CASCADE_NOT_SENDING');
    // d2 speaking as d1: the province's bus sees d2 in the subject, which nats-server lets only d2 send.
    expect((await ask('d2', 'p', 'release', { meetingId: MEETING, from: 'd1', producerId })).answer).toBe('CASCADE_FORGED');
    expect((await ask('d2', 'p', 'link', { meetingId: MEETING, from: 'zz', ip: '10.0.0.9', port: 9, srtp: {} })).answer).toBe(
      'CASCADE_BAD_MESSAGE',
    );
    // Nothing changed: the far picture still flows.
    const far = decoders.at(-1)!;
    const before = far.frames();
    await waitFor(
      () => far.frames() - before,
      (n) => n >= 15,
      10_000,
      'the far picture after the nonsense',
    );
  }, 30_000);

  it('the province server restarting: the district pictures it relays come back by themselves', async () => {
    const far = decoders.at(-1)!;
    await waitFor(
      () => far.frames(),
      (n) => n > 0,
      5_000,
      'the far picture before',
    );
    nodes.p.kill();
    await sleep(500);
    const before = far.frames();
    await cw.startNode('p');
    const started = Date.now();
    await waitFor(
      () => far.frames() - before,
      (n) => n >= 30,
      30_000,
      'the far picture through the new province server',
    );
    console.log(`cascade: far picture back ${Date.now() - started} ms after the province server restarted`);
  }, 60_000);

  it("the origin's pause, resume and close reach every server that has a copy, and the links fall silent", async () => {
    const far = decoders.find((d) => d.frames() > 0 && d !== decoders.at(-1)) ?? decoders.at(-1)!;
    await waitFor(
      () => far.frames(),
      (n) => n > 0,
      5_000,
      'a far picture',
    );
    await nodes.d1.call('pause', { producerId });
    await waitFor(
      () => nodes.d2.call<{ paused: boolean | null }>('copy', { producerId }),
      (c) => c.paused === true,
      5_000,
      'paused at d2',
    );
    expect((await nodes.p.call<{ paused: boolean | null }>('copy', { producerId })).paused).toBe(true);
    await sleep(1500);
    const paused = await measure('d2', 3000);
    const stalled = far.frames();
    await sleep(1000);
    expect(far.frames() - stalled).toBeLessThan(3);
    await nodes.d1.call('resume', { producerId });
    await waitFor(
      () => far.frames() - stalled,
      (n) => n >= 15,
      10_000,
      'the picture after resume',
    );
    expect((await nodes.d2.call<{ paused: boolean | null }>('copy', { producerId })).paused).toBe(false);
    const resumed = await measure('d2', 3000);
    console.log(`cascade: link bytes/s paused ${paused.link}, resumed ${resumed.link}`);
    expect(paused.link).toBeLessThan(0.1 * resumed.link);
    await nodes.d1.call('close', { producerId });
    for (const n of [nodes.p, nodes.d2]) {
      await waitFor(
        () => n.call<{ producers: string[] }>('remote', { meetingId: MEETING }),
        (r) => !r.producers.includes(producerId),
        5_000,
        'closed everywhere',
      );
      expect((await n.call<{ here: boolean }>('copy', { producerId })).here).toBe(false);
    }
  }, 60_000);
});
