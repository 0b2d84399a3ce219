// A room system's call media. Keyframes both ways: A scripted room (tests/support/sip.ts) calls
// in with H.264 and sends its own H.264 from GStreamer. When it asks for a keyframe of the picture
// it is sent, by RTCP PLI or by SIP INFO picture_fast_update, the next IDR comes at once, not at
// the encoder's next periodic one. When a browser that joins needs a keyframe of the room's
// picture, the room is asked both ways: RTCP PLI on its RTCP port and SIP INFO. A pipeline of the
// call that dies (gst-launch killed) is started again and the call goes on. A re-INVITE may change
// the audio codec. Another room system's H.264, when it is the main picture, is what a room sees,
// passed through as it is, in the same stream as the encoded picture; a recording holds it too.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { loginAndJoin } from '../support/meeting-ui';
import { login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { FakeRoom, freeUdpPort } from '../support/sip';

const PASSWORD = 'lienthong123';
const ROOM_SSRC = 31337;
/** sip.rtpPorts: what a firewall would open to room systems (4 per call, for the default 40 calls). */
const RTP_PORTS = { min: 30600, max: 30759 };

describe("a room system's call media", () => {
  let sfu: SfuProcess;
  let browser: Browser;
  let chair: Page;
  let room: FakeRoom | undefined;
  let camera: ChildProcess | undefined;
  let number: string;
  let sipPort: number;
  const siteCodes = new Map<string, string>();
  let cuvanParent = '';
  let meetingId = '';

  beforeAll(async () => {
    sipPort = await freeUdpPort();
    sfu = await startSfuServer({ sipPort, sipRtpPorts: RTP_PORTS });
    browser = await launchChromium({ caFile: sfu.caFile });
    chair = await loginAndJoin(browser, sfu.httpsUrl(), 'chutri.tinh', PASSWORD);
    meetingId = /#\/room\/([^/?]+)/.exec(chair.url())![1]!;
    const auth = { authorization: `Bearer ${await loginAdmin(sfu.url)}`, 'content-type': 'application/json' };
    const sites = (await (await fetch(`${sfu.url}/api/sites`, { headers: auth })).json()) as {
      sites: { id: string; code: string; parentId: string | null }[];
    };
    for (const s of sites.sites) siteCodes.set(s.id, s.code);
    cuvanParent = sites.sites.find((s) => s.code === 'TN-DT-CUVAN')!.parentId!;
    // The district's codec (Đại Từ, invited with its communes).
    const districtRoom = await fetch(`${sfu.url}/api/room-systems`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ siteId: cuvanParent, name: 'Codec huyện', sipUser: 'district-room' }),
    });
    expect(districtRoom.status).toBe(201);
    const made = await fetch(`${sfu.url}/api/room-systems`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ siteId: sites.sites.find((s) => s.code === 'TN-DT-CUVAN')!.id, name: 'Codec Cù Vân', sipUser: 'cuvan-room' }),
    });
    expect(made.status).toBe(201);
    number = ((await (await fetch(`${sfu.url}/api/meetings/${meetingId}/dial-in`, { headers: auth })).json()) as { number: string }).number;
  }, 120_000);

  afterAll(async () => {
    camera?.kill('SIGKILL');
    room?.close();
    await browser?.close();
    await sfu?.stop();
  });

  const metric = async (name: string) =>
    Number(
      (await (await fetch(`${sfu.url}/metrics`)).text())
        .split('\n')
        .find((l) => l.startsWith(`${name} `))
        ?.split(' ')[1],
    );

  /** Time from now to the next IDR the room receives (ms), or Infinity within `within`. */
  const nextKeyFrame = async (ask: () => unknown, within = 1500): Promise<number> => {
    const seen = room!.keyFrames.length;
    const t0 = Date.now();
    await ask();
    await waitFor(
      async () => room!.keyFrames.length > seen,
      (ok) => ok,
      within,
      'a keyframe',
    ).catch(() => undefined);
    return room!.keyFrames.length > seen ? room!.keyFrames[seen]! - t0 : Number.POSITIVE_INFINITY;
  };

  it('the room gets a keyframe at once when it asks by RTCP PLI or by SIP INFO', async () => {
    room = await FakeRoom.call(sipPort, number, 'cuvan-room', ROOM_SSRC);
    // Every port its answer names is one the firewall opens to room systems.
    for (const p of [room.serverAudio, room.serverVideo.rtp, room.serverVideo.rtcp])
      expect(p >= RTP_PORTS.min && p <= RTP_PORTS.max, `port ${p}`).toBe(true);
    // Its camera: H.264 SMPTE bars with a keyframe every 2 s (it does not answer PLI itself), Constrained
    // Baseline 4:2:0 in one slice per picture, as its SDP says (42e01f) and room codecs send.
    camera = spawn(
      'gst-launch-1.0',
      [
        ...[
          'videotestsrc is-live=true pattern=smpte ! video/x-raw,format=I420,width=320,height=180,framerate=15/1',
          '! x264enc speed-preset=ultrafast tune=zerolatency sliced-threads=false key-int-max=30',
          '! video/x-h264,profile=constrained-baseline',
        ]
          .join(' ')
          .split(' '),
        ...`! rtph264pay pt=97 ssrc=${ROOM_SSRC} config-interval=-1 ! udpsink host=127.0.0.1 port=${room.serverVideo.rtp}`.split(' '),
      ],
      { stdio: 'ignore' },
    );
    // The picture it is sent flows, keyframes first.
    await waitFor(
      async () => room!.keyFrames.length,
      (n) => n > 0,
      20_000,
      'the first keyframe to the room',
    );
    // The encoder's own keyframes come every 2 s; let the start (and the switch to the chair's camera) pass.
    await new Promise((r) => setTimeout(r, 3000));
    const plain = room.keyFrames.length;
    await new Promise((r) => setTimeout(r, 4100));
    const unasked = room.keyFrames.length - plain;
    expect(unasked, 'periodic keyframes only, about one in 2 s').toBeLessThanOrEqual(3);
    // Asked at random moments, a keyframe follows within 300 ms each time (a periodic one would need luck, 3 times).
    const byRtcp: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 700 + Math.random() * 600));
      byRtcp.push(await nextKeyFrame(() => room!.sendPli()));
    }
    expect(Math.max(...byRtcp), `PLI → IDR in ms: ${byRtcp.join(', ')}`).toBeLessThan(300);
    const byInfo: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 700 + Math.random() * 600));
      byInfo.push(
        await nextKeyFrame(async () => {
          expect((await room!.sendInfoFastUpdate()).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
        }),
      );
    }
    expect(Math.max(...byInfo), `INFO → IDR in ms: ${byInfo.join(', ')}`).toBeLessThan(300);
  }, 90_000);

  it('a pipeline of the call that dies is started again; the call goes on', async () => {
    const pidOf = (pattern: string) => {
      const out = execFileSync('sh', ['-c', `pgrep -f '^gst-launch-1.0 .*${pattern}' || true`])
        .toString()
        .trim();
      return out ? out.split('\n').map(Number) : [];
    };
    const pipelines = { videoBack: 'rtpbin name=rb', audioBack: 'audiomixer name=mix ', audioIn: 'mulawdec' };
    const before = Object.fromEntries(Object.entries(pipelines).map(([k, p]) => [k, pidOf(p)]));
    for (const [name, pids] of Object.entries(before)) expect(pids, name).toHaveLength(1);
    const restarts = await metric('lienthong_sip_media_pipeline_restarts');
    for (const pids of Object.values(before)) process.kill(pids[0]!, 'SIGKILL');
    const killedAt = Date.now();
    const [a0, v0] = [room!.audioPackets, room!.videoPackets];
    // New gst-launch processes for all three, and what the room receives flows again, from a keyframe.
    await waitFor(
      async () => Object.entries(pipelines).every(([k, p]) => pidOf(p).length === 1 && pidOf(p)[0] !== before[k]![0]),
      (ok) => ok,
      15_000,
      'the three pipelines running again',
    );
    await waitFor(
      async () => [room!.audioPackets - a0, room!.videoPackets - v0, room!.keyFrames.at(-1)! - killedAt],
      ([a, v, k]) => a! > 50 && v! > 50 && k! > 0,
      15_000,
      'sound and picture to the room again',
    );
    expect(await metric('lienthong_sip_media_pipeline_restarts')).toBe(restarts + 3);
    expect(await metric('lienthong_sip_media_pipelines')).toBe(3);
    expect(await metric('lienthong_sip_calls')).toBe(1);
  }, 60_000);

  it('a re-INVITE that changes the audio codec is taken: the room hears and is heard in G.722 from then on', async () => {
    expect(room!.audioPt).toBe(0);
    expect(await room!.reInvite('G722')).toBe('SIP/2.0 200 OK');
    expect(room!.answer).toMatch(/^m=audio \d+ RTP\/AVP 9 101\r?$/m);
    const a0 = room!.audioPackets;
    await waitFor(
      async () => [room!.audioPt, room!.audioPackets - a0],
      ([pt, n]) => pt === 9 && n! > 50,
      15_000,
      'G.722 to the room',
    );
    // Its sound is decoded as G.722 now: the ingress pipeline was replaced, and nothing was left behind.
    const count = (pattern: string) => Number(execFileSync('sh', ['-c', `pgrep -cf '^gst-launch-1.0 .*${pattern}' || true`]).toString());
    expect(count('avdec_g722')).toBe(1);
    expect(count('mulawdec')).toBe(0);
    expect(await metric('lienthong_sip_media_pipelines')).toBe(3);
    expect(await metric('lienthong_sip_calls')).toBe(1);
  }, 60_000);

  it("a room sees another room system's H.264 as it is when that one has the floor, and the encoded picture again after; one SSRC, no gap", async () => {
    const district = siteCodes.get(cuvanParent)!;
    const other = await FakeRoom.call(sipPort, number, 'district-room', 4242);
    /** What the district's codec is sent over 3 s: its size, the colours of the top half's bars, bytes. */
    const seen = async () => {
      other.capture = [];
      await new Promise((r) => setTimeout(r, 3000));
      const stream = Buffer.concat(other.capture);
      other.capture = null;
      const size = execFileSync(
        'ffprobe',
        ['-v', 'error', '-f', 'h264', '-i', '-', '-show_entries', 'stream=width,height', '-of', 'csv=p=0'],
        {
          input: stream,
          stdio: ['pipe', 'pipe', 'ignore'],
        },
      )
        .toString()
        .trim();
      const px = execFileSync(
        'sh',
        ['-c', 'ffmpeg -v error -f h264 -i - -vf crop=iw:ih/2:0:0,scale=14:1 -f rawvideo -pix_fmt rgb24 - | tail -c 42'],
        { input: stream, stdio: ['pipe', 'pipe', 'ignore'] },
      );
      const at = (i: number) => [px[i * 3]!, px[i * 3 + 1]!, px[i * 3 + 2]!];
      return { size, yellow: at(3), red: at(11), blue: at(13), bytes: stream.length };
    };
    try {
      // First the chair's picture, re-encoded at the configured 640x360.
      const before = await waitFor(
        seen,
        (b) => b.size === '640,360' && b.bytes > 5_000,
        20_000,
        'the encoded picture at the district codec',
      );
      const ssrc = other.receivedSsrc;
      const breaks = other.videoSeqBreaks;
      expect(await metric('lienthong_sip_video_passthrough')).toBe(0);
      // The chair gives the floor to Cù Vân: the district's codec is shown Cù Vân's bars, passed through as
      // they are (320x180, what Cù Vân sends), not decoded and scaled up.
      await chair.locator('[data-testid="console-site"][data-code="TN-DT-CUVAN"]').getByTestId('give-floor').click();
      await waitFor(
        async () => (await chair.getByTestId('console-floor').textContent()) ?? '',
        (t) => /Cù Vân/.test(t),
        10_000,
        'the floor at Cù Vân',
      );
      const bars = await waitFor(
        seen,
        (b) =>
          b.size === '320,180' &&
          b.yellow[0]! > 120 &&
          b.yellow[1]! > 120 &&
          b.yellow[2]! < 90 &&
          b.red[0]! > 120 &&
          b.red[1]! < 90 &&
          b.blue[2]! > 120 &&
          b.blue[0]! < 90,
        30_000,
        `the ${district} codec shown Cù Vân's bars as they are`,
      );
      expect(bars.bytes).toBeGreaterThan(10_000);
      expect(await metric('lienthong_sip_video_passthrough')).toBe(1);
      // Nothing to encode for it meanwhile: its encoder is stopped (Cù Vân's call keeps its three pipelines).
      expect(await metric('lienthong_sip_media_pipelines')).toBe(3 + 2);
      expect(other.receivedSsrc).toBe(ssrc);
      // The chair takes the floor back: the encoded picture again, in the same stream.
      await chair.getByTestId('take-floor').click();
      const after = await waitFor(seen, (b) => b.size === '640,360' && b.bytes > 5_000, 20_000, 'the encoded picture again');
      expect(after.bytes).toBeGreaterThan(5_000);
      expect(before.bytes).toBeGreaterThan(5_000);
      expect(other.receivedSsrc).toBe(ssrc);
      // Two switches on loopback: the sequence numbers went on (the room's jitter buffer saw no loss).
      expect(other.videoSeqBreaks - breaks).toBe(0);
      expect(await metric('lienthong_sip_video_passthrough')).toBe(0);
      expect(await metric('lienthong_sip_media_pipelines')).toBe(3 + 3);
    } finally {
      await other.bye().catch(() => undefined);
      other.close();
    }
  }, 120_000);

  it("a recording holds the room system's H.264 picture when it has the floor", async () => {
    // The chair took the floor back above: Cù Vân (SMPTE bars, H.264) is given it again.
    await chair.locator('[data-testid="console-site"][data-code="TN-DT-CUVAN"]').getByTestId('give-floor').click();
    await waitFor(
      async () => (await chair.getByTestId('console-floor').textContent()) ?? '',
      (t) => /Cù Vân/.test(t),
      10_000,
      'the floor at Cù Vân',
    );
    const button = chair.getByTestId('console-record');
    await button.click();
    await chair.locator('[data-testid="console-record"][data-recording="true"]').waitFor({ timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 8000));
    await button.click();
    await chair.locator('[data-testid="console-record"][data-recording="false"]').waitFor({ timeout: 20_000 });
    const auth = { authorization: `Bearer ${await login(sfu.url, 'chutri.tinh', PASSWORD)}` };
    const done = await waitFor(
      async () =>
        (
          (await (await fetch(`${sfu.url}/api/meetings/${meetingId}/recordings`, { headers: auth })).json()) as {
            recordings: { id: string; state: string }[];
          }
        ).recordings,
      (l) => l.some((r) => r.state === 'done'),
      20_000,
      'the recording done',
    );
    const file = Buffer.from(
      await (await fetch(`${sfu.url}/api/recordings/${done.find((r) => r.state === 'done')!.id}/file`, { headers: auth })).arrayBuffer(),
    );
    // The main picture's top half (the bars) at 5 s, 14 pixels wide: yellow, red and blue where the bars are.
    const path = join(tmpdir(), `lt-room-rec-${process.pid}.mp4`);
    writeFileSync(path, file);
    const px = execFileSync('ffmpeg', [
      ...'-v error -ss 5 -i'.split(' '),
      path,
      ...'-frames:v 1 -vf crop=960:270:0:0,scale=14:1 -f rawvideo -pix_fmt rgb24 -'.split(' '),
    ]);
    rmSync(path, { force: true });
    const at = (i: number) => [px[i * 3]!, px[i * 3 + 1]!, px[i * 3 + 2]!];
    const [yellow, red, blue] = [at(3), at(11), at(13)];
    expect(px.length, 'one row of the main picture').toBe(42);
    expect(yellow[0]! > 120 && yellow[1]! > 120 && yellow[2]! < 90, `yellow bar ${yellow}`).toBe(true);
    expect(red[0]! > 120 && red[1]! < 90, `red bar ${red}`).toBe(true);
    expect(blue[2]! > 120 && blue[0]! < 90, `blue bar ${blue}`).toBe(true);
  }, 90_000);

  it('room systems answer the roll call with their remote (RFC 4733 and SIP INFO)', async () => {
    const district = await FakeRoom.call(sipPort, number, 'district-room', 4343);
    try {
      await chair.getByTestId('rollcall-start').click();
      await chair.getByTestId('rollcall-room-keys').waitFor({ timeout: 5000 });
      const row = (code: string) => chair.locator(`[data-testid="rollcall-row"][data-code="${code}"]`);
      const districtCode = siteCodes.get(cuvanParent)!;
      await row('TN-DT-CUVAN').waitFor({ timeout: 10_000 });
      // Cù Vân's codec: 1, 2, # as telephone-events in its sound.
      await room!.pressKeys('12#');
      await waitFor(
        async () => [await row('TN-DT-CUVAN').getAttribute('data-status'), await row('TN-DT-CUVAN').locator('td').nth(2).textContent()],
        ([status, count]) => status === 'present' && count === '12',
        10_000,
        'Cù Vân present with 12',
      );
      // The district's codec: 7 then # by SIP INFO.
      expect(await district.infoKey('7')).toBe('SIP/2.0 200 OK');
      expect(await district.infoKey('#')).toBe('SIP/2.0 200 OK');
      await waitFor(
        async () => [await row(districtCode).getAttribute('data-status'), await row(districtCode).locator('td').nth(2).textContent()],
        ([status, count]) => status === 'present' && count === '7',
        10_000,
        `${districtCode} present with 7`,
      );
      await chair.getByTestId('rollcall-end').click();
      await chair.getByTestId('rollcall-start').waitFor({ timeout: 5000 });
      // Keys with no roll call open change nothing and break nothing.
      await room!.pressKeys('3#');
      // Its sound from another port of its own address (asymmetric RTP): what it hears stays at its SDP port.
      const moved = await room!.sendSound(2500, true);
      expect(moved.back, 'packets to the other port').toBe(0);
      expect(moved.toSdpPort, 'packets to its SDP port').toBeGreaterThan(50);
    } finally {
      await district.bye().catch(() => undefined);
      district.close();
    }
  }, 90_000);

  it('a codec behind NAT (a private address in its SDP, its packets from another) hears and sees the meeting where its packets come from', async () => {
    // Its messages say 127.0.0.3 (nobody there), its packets come from 127.0.0.2, as from a NAT.
    const behind = await FakeRoom.call(sipPort, number, 'district-room', 4444, { ip: '127.0.0.2', sdpIp: '127.0.0.3' });
    try {
      expect(behind.answer).toMatch(/^m=audio [1-9]\d* /m);
      const [a0, v0] = [behind.audioPackets, behind.videoPackets];
      await behind.sendVideo(10);
      const sound = await behind.sendSound(3000);
      expect(sound.toSdpPort, 'sound at its own port').toBeGreaterThan(50);
      await waitFor(
        async () => [behind.audioPackets - a0, behind.videoPackets - v0],
        ([a, v]) => a! > 50 && v! > 20,
        10_000,
        'sound and picture at the NAT address',
      );
      // In-dialog requests reach it there too: its BYE is answered and the call ends.
      expect((await behind.bye()).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
    } finally {
      behind.close();
    }
  }, 60_000);

  it('a browser that joins asks the room for a keyframe both ways: RTCP PLI and SIP INFO', async () => {
    const plis = room!.plisReceived.length;
    const infos = room!.infosReceived.length;
    const district = await loginAndJoin(browser, sfu.httpsUrl(), 'daibieu.dt', PASSWORD);
    await waitFor(
      async () => [room!.plisReceived.length - plis, room!.infosReceived.length - infos],
      ([p, i]) => p! > 0 && i! > 0,
      20_000,
      'a PLI and an INFO at the room',
    );
    expect(room!.infosReceived.at(-1)!.body).toMatch(/<picture_fast_update\s*\/>/);
    await district.context().close();
    // It hangs up: the server ends the call and frees its media.
    expect((await room!.bye()).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
    await waitFor(
      async () => [await metric('lienthong_sip_calls'), await metric('lienthong_sip_media_pipelines')],
      (v) => v[0] === 0 && v[1] === 0,
      10_000,
      'the call and its pipelines gone',
    );
  }, 60_000);
});
