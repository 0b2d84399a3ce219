// A commune's room system in a meeting over two servers. The room calls the province (the one SIP
// address every room is given); the province keeps the call's SIP dialog and the meeting, and the
// call's media runs on Đại Từ's district server, which carries the commune's media: the SDP answer
// sends the room's RTP there. Asserted with real sfu-server processes, a scripted room (H.264 and
// G.711 from GStreamer) and the chair in Chromium at the province: each decodes the other, the
// keyframe asks cross both ways, the room's remote answers the roll call, and hanging up frees the
// district's ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inboundByPeer, launchChromium, sessionDump, waitFor } from '../support/browser';
import { loginAndJoin, myPeerId } from '../support/meeting-ui';
import { freeMediaBasePort, freePort } from '../support/ports';
import { cascadeConfig, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { FakeRoom, freeUdpPort } from '../support/sip';

const PASSWORD = 'lienthong123';
const DISTRICT = 'huyen-dai-tu';
/** Where the district server takes room systems' media: its own address and ports. */
const DISTRICT_IP = '127.0.0.2';
const PROVINCE_RTP = { min: 32000, max: 32159 };
const DISTRICT_RTP = { min: 32200, max: 32359 };
const ROOM_SSRC = 42424;

const gst = (pipeline: string): ChildProcess => spawn('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: 'ignore' });

describe("a commune's room system, with its media on its district's server", () => {
  let nats: ChildProcess;
  let province: SfuProcess;
  let district: SfuProcess;
  let browser: Browser;
  let chair: Page;
  let chairPeer = '';
  let sipPort = 0;
  let number = '';
  let room: FakeRoom | undefined;
  const senders: ChildProcess[] = [];

  const metric = async (sfu: SfuProcess, name: string) =>
    Number(
      (await (await fetch(`${sfu.url}/metrics`)).text())
        .split('\n')
        .find((l) => l.startsWith(`${name} `))
        ?.split(' ')[1] ?? Number.NaN,
    );

  beforeAll(async () => {
    const natsPort = await freePort();
    nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], { stdio: 'ignore' });
    const natsUrl = `nats://127.0.0.1:${natsPort}`;
    sipPort = await freeUdpPort();
    province = await startSfuServer({
      extraConfig: cascadeConfig(natsUrl, 'tinh', '', [DISTRICT]),
      adaptation: false,
      sipPort,
      sipRtpPorts: PROVINCE_RTP,
    });
    const token = await loginAdmin(province.url);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const sites = (
      (await (await fetch(`${province.url}/api/sites`, { headers: auth })).json()) as { sites: { id: string; code: string }[] }
    ).sites;
    const districtHttps = await freePort();
    const made = await fetch(`${province.url}/api/servers`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        id: DISTRICT,
        name: 'Máy chủ Huyện Đại Từ',
        url: `https://127.0.0.1:${districtHttps}`,
        siteId: sites.find((s) => s.code === 'TN-DT')!.id,
      }),
    });
    expect(made.status).toBe(201);
    const codec = await fetch(`${province.url}/api/room-systems`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ siteId: sites.find((s) => s.code === 'TN-DT-CUVAN')!.id, name: 'Codec Cù Vân', sipUser: 'cuvan-room' }),
    });
    expect(codec.status).toBe(201);
    district = await startSfuServer({
      extraConfig: cascadeConfig(natsUrl, DISTRICT, 'tinh', []),
      basePort: await freeMediaBasePort(1),
      httpsPort: districtHttps,
      adaptation: false,
      // No SIP port of its own (its rooms call the province): only an address and ports for their media.
      sipListenIp: DISTRICT_IP,
      sipRtpPorts: DISTRICT_RTP,
    });
    browser = await launchChromium({ caFile: province.caFile });
    chair = await loginAndJoin(browser, province.httpsUrl(), 'chutri.tinh', PASSWORD);
    chairPeer = await myPeerId(chair);
    const meetingId = /#\/room\/([^/?]+)/.exec(chair.url())![1]!;
    number = ((await (await fetch(`${province.url}/api/meetings/${meetingId}/dial-in`, { headers: auth })).json()) as { number: string })
      .number;
  }, 180_000);

  beforeEach(({ onTestFailed }) =>
    onTestFailed(async () => {
      console.log(`chair ${await sessionDump(chair).catch(() => '?')}`);
      console.log(`province:\n${province.output().slice(-4000)}\ndistrict:\n${district.output().slice(-4000)}`);
    }),
  );

  afterAll(async () => {
    for (const s of senders) s.kill('SIGKILL');
    room?.close();
    await browser?.close();
    await district?.stop();
    await province?.stop();
    nats?.kill('SIGKILL');
  });

  it("answers the room's call at the province with the district server's address and ports", async () => {
    room = await FakeRoom.call(sipPort, number, 'cuvan-room', ROOM_SSRC);
    expect(room.serverIp).toBe(DISTRICT_IP);
    for (const p of [room.serverAudio, room.serverVideo.rtp, room.serverVideo.rtcp])
      expect(p >= DISTRICT_RTP.min && p <= DISTRICT_RTP.max, `port ${p} among the district's`).toBe(true);
    // Its sound is re-encoded on the district server, not at the province.
    await waitFor(
      async () => [await metric(district, 'lienthong_sip_media_pipelines'), await metric(province, 'lienthong_sip_calls')],
      ([pipes, calls]) => pipes! >= 2 && calls === 1,
      20_000,
      'the call at the province and its pipelines at the district',
    );
    expect(await metric(province, 'lienthong_sip_media_pipelines')).toBe(0);
  });

  it('the chair at the province decodes and hears the room, and the room gets the chair’s picture and sound', async () => {
    const r = room!;
    // Its camera (H.264 SMPTE bars) and microphone (a tone in G.711 μ-law), sent where its answer says.
    senders.push(
      gst(
        'videotestsrc is-live=true pattern=smpte ! video/x-raw,format=I420,width=320,height=180,framerate=15/1 ' +
          '! x264enc speed-preset=ultrafast tune=zerolatency key-int-max=30 ! video/x-h264,profile=constrained-baseline ' +
          `! rtph264pay pt=97 ssrc=${ROOM_SSRC} config-interval=-1 ! udpsink host=${r.serverIp} port=${r.serverVideo.rtp} bind-address=127.0.0.1`,
      ),
      gst(
        'audiotestsrc is-live=true wave=sine freq=440 volume=0.5 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ' +
          `! rtppcmupay pt=0 ! udpsink host=${r.serverIp} port=${r.serverAudio} bind-address=127.0.0.1`,
      ),
    );
    const stats = await waitFor(
      () => inboundByPeer(chair),
      (s) => Object.entries(s).some(([peer, v]) => peer !== chairPeer && v.framesDecoded > 10 && v.audioEnergy > 0),
      40_000,
      "the room's picture and sound at the chair",
    );
    const [, seen] = Object.entries(stats).find(([peer]) => peer !== chairPeer)!;
    expect(seen.frameWidth).toBe(320);
    // What the room is sent comes from the district server: the chair's picture as H.264 keyframes, and sound.
    const [v0, a0] = [r.videoPackets, r.audioPackets];
    await waitFor(
      async () => [r.keyFrames.length, r.videoPackets - v0, r.audioPackets - a0],
      ([k, v, a]) => k! > 0 && v! > 50 && a! > 50,
      30_000,
      "the chair's picture and sound at the room",
    );
  }, 90_000);

  it('keyframes are asked across both ways: the room by SIP INFO from the province, the district by the room’s INFO', async () => {
    const r = room!;
    // The chair's page asked for the room's keyframe when it began to watch it: the district's RTCP
    // relay heard mediasoup ask, and the province, which holds the dialog, sent the INFO.
    await waitFor(
      async () => r.infosReceived.filter((i) => /<picture_fast_update\s*\/>/.test(i.body)).length,
      (n) => n > 0,
      20_000,
      'a picture_fast_update INFO at the room',
    );
    // The room's INFO at the province reaches the encoder on the district server at once.
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((res) => setTimeout(res, 800 + Math.random() * 500));
      const seen = r.keyFrames.length;
      const t0 = Date.now();
      expect((await r.sendInfoFastUpdate()).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
      await waitFor(
        async () => r.keyFrames.length > seen,
        (ok) => ok,
        3000,
        'a keyframe after the INFO',
      ).catch(() => undefined);
      waits.push(r.keyFrames.length > seen ? r.keyFrames[seen]! - t0 : Number.POSITIVE_INFINITY);
    }
    expect(Math.max(...waits), `INFO → IDR in ms: ${waits.join(', ')}`).toBeLessThan(800);
  }, 60_000);

  it("the room's remote answers the chair's roll call through the district server", async () => {
    await chair.getByTestId('rollcall-start').click();
    const row = chair.locator('[data-testid="rollcall-row"][data-code="TN-DT-CUVAN"]');
    await row.waitFor({ timeout: 10_000 });
    // 1, 5, # as telephone-events in its sound, which goes to the district.
    await room!.pressKeys('15#');
    await waitFor(
      async () => [await row.getAttribute('data-status'), await row.locator('td').nth(2).textContent()],
      ([status, count]) => status === 'present' && count === '15',
      15_000,
      'Cù Vân present with 15',
    );
    await chair.getByTestId('rollcall-end').click();
  }, 60_000);

  it('a re-INVITE to another audio codec, taken at the province, changes what the district sends the room', async () => {
    const r = room!;
    expect(r.audioPt).toBe(0);
    expect(await r.reInvite('G722')).toBe('SIP/2.0 200 OK');
    expect(r.serverIp).toBe(DISTRICT_IP);
    await waitFor(
      async () => r.audioPt,
      (pt) => pt === 9,
      15_000,
      'G.722 from the district at the room',
    );
  }, 30_000);

  it("hanging up ends the call at the province and frees the district's ports", async () => {
    const r = room!;
    for (const s of senders.splice(0)) s.kill('SIGKILL');
    expect((await r.bye()).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
    await waitFor(
      async () => [await metric(province, 'lienthong_sip_calls'), await metric(district, 'lienthong_sip_media_pipelines')],
      ([calls, pipes]) => calls === 0 && pipes === 0,
      15_000,
      'the call and its pipelines gone',
    );
    // Its audio port on the district can be bound again: nothing holds it.
    const free = await waitFor(
      () =>
        new Promise<boolean>((res) => {
          const s = createSocket('udp4');
          s.once('error', () => res(false));
          s.bind(r.serverAudio, DISTRICT_IP, () => s.close(() => res(true)));
        }),
      (ok) => ok,
      10_000,
      "the district's audio port free",
    );
    expect(free).toBe(true);
  }, 60_000);

  it("when the district server dies, the room's call goes on: its media moves to the province by re-INVITE", async () => {
    const ssrc = ROOM_SSRC + 1;
    const again = await FakeRoom.call(sipPort, number, 'cuvan-room', ssrc);
    try {
      expect(again.serverIp).toBe(DISTRICT_IP);
      district.child.kill('SIGKILL');
      const t0 = Date.now();
      await waitFor(
        async () => again.reInvitesReceived,
        (n) => n > 0,
        30_000,
        "the province's re-INVITE at the room",
      );
      console.log(`room media moved to the province ${Date.now() - t0} ms after the district server died`);
      // The province's address and ports now; the call itself never ended.
      expect(again.serverIp).toBe('127.0.0.1');
      for (const p of [again.serverAudio, again.serverVideo.rtp])
        expect(p >= PROVINCE_RTP.min && p <= PROVINCE_RTP.max, `port ${p} among the province's`).toBe(true);
      expect(await metric(province, 'lienthong_sip_calls')).toBe(1);
      senders.push(
        gst(
          'videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=180,framerate=15/1 ' +
            '! x264enc speed-preset=ultrafast tune=zerolatency key-int-max=30 ! video/x-h264,profile=constrained-baseline ' +
            `! rtph264pay pt=97 ssrc=${ssrc} config-interval=-1 ! udpsink host=${again.serverIp} port=${again.serverVideo.rtp} bind-address=127.0.0.1`,
        ),
      );
      await waitFor(
        () => inboundByPeer(chair),
        (s) => Object.entries(s).some(([peer, v]) => peer !== chairPeer && v.framesDecoded > 10),
        30_000,
        "the room's picture at the chair again, through the province",
      );
      const sound = await again.sendSound(2000);
      expect(sound.toSdpPort, 'the meeting heard at the room').toBeGreaterThan(30);
      expect((await again.bye()).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
    } finally {
      again.close();
    }
  }, 90_000);
});
