// A meeting-room codec dials into a meeting: baresip (H.264 from its test-pattern source through
// libavcodec, a talker-like tone as its microphone) calls `<number>@server` over SIP/UDP as the room
// system registered at the commune Cù Vân. Two Chromium sites in the meeting decode its video and hear
// it; it decodes the main picture (H.264 re-encoded by the server) and hears the others' mix.
// Calls the server must refuse get the SIP status that says why, and leave nothing behind.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { baresip, baresipCommand, speechLike } from '../support/baresip';
import { inboundByPeer, launchChromium, mediaFlowingFrom, sessionDump, waitFor } from '../support/browser';
import { loginAndJoin, myPeerId, signedIn } from '../support/meeting-ui';
import { ADMIN_PASSWORD, login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { freeUdpPort, invite, sipRequest } from '../support/sip';

const PASSWORD = 'lienthong123';
const SIPP = join(import.meta.dirname, 'sipp');

const PCMU_SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', ''].join('\n');

const VP8_ONLY_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 18',
  'a=rtpmap:18 G729/8000',
  'm=video 40002 RTP/AVP 96',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\n');

describe('a room system dials into a meeting', () => {
  let sfu: SfuProcess;
  let browser: Browser;
  let chair: Page;
  let district: Page;
  let tmp: string;
  let number: string;
  let sipPort: number;
  let adminAuth: Record<string, string>;
  let cuvanId = '';
  let districtId = '';
  let meetingId = '';
  const rooms: ChildProcess[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lt-sip-'));
    speechLike(join(tmp, 'speech.wav'));
    sipPort = await freeUdpPort();
    sfu = await startSfuServer({ sipPort, sipOptionsIntervalSeconds: 2 });
    browser = await launchChromium({ caFile: sfu.caFile });
    chair = await loginAndJoin(browser, sfu.httpsUrl(), 'chutri.tinh', PASSWORD);
    district = await loginAndJoin(browser, sfu.httpsUrl(), 'daibieu.dt', PASSWORD);
    meetingId = /#\/room\/([^/?]+)/.exec(chair.url())![1]!;
    const admin = await loginAdmin(sfu.url);
    const auth = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    adminAuth = auth;
    const sites = (await (await fetch(`${sfu.url}/api/sites`, { headers: auth })).json()) as {
      sites: { id: string; code: string; parentId: string | null }[];
    };
    const cuvan = sites.sites.find((s) => s.code === 'TN-DT-CUVAN')!;
    cuvanId = cuvan.id;
    districtId = cuvan.parentId!;
    const thuongnung = sites.sites.find((s) => s.code === 'TN-VN-THUONGNUNG')!;
    // The administrator registers Cù Vân's codec on the sites page (Vietnamese UI).
    const adminPage = await signedIn(browser, sfu.httpsUrl(), 'admin', ADMIN_PASSWORD);
    await adminPage.getByTestId('nav-sites').click();
    await adminPage.getByTestId('site-search').fill('Cù Vân');
    await adminPage.locator('[data-testid="site-row"][data-code="TN-DT-CUVAN"]').getByTestId('site-room-systems').click();
    const panel = adminPage.locator('[data-testid="room-systems"][data-site="TN-DT-CUVAN"]');
    await panel.getByTestId('room-systems-none').waitFor();
    await panel.locator('input[name="name"]').fill('Codec phòng họp Cù Vân');
    await panel.locator('input[name="sipUser"]').fill('cuvan-room');
    await panel.getByTestId('room-system-add').click();
    await panel.locator('[data-testid="room-system"][data-sip-user="cuvan-room"]').waitFor();
    // A second codec with the same SIP user is refused with the reason.
    await panel.locator('input[name="name"]').fill('Trùng');
    await panel.locator('input[name="sipUser"]').fill('cuvan-room');
    await panel.getByTestId('room-system-add').click();
    expect(await panel.getByTestId('room-system-error').textContent()).toMatch(/đã thuộc về một codec khác/);
    await adminPage.context().close();
    const made = await fetch(`${sfu.url}/api/room-systems`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ siteId: thuongnung.id, name: 'Codec phòng họp Thượng Nung', sipUser: 'thuongnung-room' }),
    });
    expect(made.status).toBe(201);
    // A participant of another site may not register one.
    const other = await login(sfu.url, 'daibieu.dt', PASSWORD);
    const refused = await fetch(`${sfu.url}/api/room-systems`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      body: JSON.stringify({ siteId: cuvan.id, name: 'x', sipUser: 'intruder' }),
    });
    expect(refused.status).toBe(403);
    // The chair reads the number to dial from the console.
    const dialIn = chair.getByTestId('dial-in');
    await dialIn.waitFor();
    number = (await dialIn.getAttribute('data-number'))!;
    expect(await dialIn.textContent()).toContain(`sip:${number}@127.0.0.1:${sipPort}`);
    const dial = (await (await fetch(`${sfu.url}/api/meetings/${meetingId}/dial-in`, { headers: auth })).json()) as { number: string };
    expect(dial.number).toBe(number);
  }, 180_000);

  const metric = async (name: string) => {
    // A kept-alive connection the server has just closed fails once (undici): ask again on a new one.
    const scrape = () => fetch(`${sfu.url}/metrics`).then((r) => r.text());
    const text = await scrape().catch(scrape);
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : Number.NaN;
  };

  /** A room system's series, by the room's name (NaN: absent). */
  const roomMetric = async (name: string, room: string) => {
    const scrape = () => fetch(`${sfu.url}/metrics`).then((r) => r.text());
    const text = await scrape().catch(scrape);
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`room="${room}"`));
    return line ? Number(line.split(' ').at(-1)) : Number.NaN;
  };

  afterAll(async () => {
    for (const r of rooms) r.kill('SIGKILL');
    await browser?.close();
    await sfu?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // baresip names G.722 by its 16 kHz sampling; on the wire it is payload 9 at clock rate 8000.
  // The last one insists on SRTP (SDES keys, RTP/SAVP): sound and picture both ways encrypted.
  for (const [codec, srtp] of [
    ['PCMU', false],
    ['G722/16000/1', false],
    ['opus/48000/2', false],
    ['PCMU', true],
  ] as const) {
    const name = `${codec.split('/')[0]}${srtp ? '-srtp' : ''}`;
    it(`joins with H.264 and ${codec.split('/')[0]}${srtp ? ' over SRTP' : ''}: browsers see and hear it, it sees and hears the meeting, the chair mutes it, it leaves cleanly`, async () => {
      const known = await Promise.all([myPeerId(chair), myPeerId(district)]);
      const room = await baresip(
        join(tmp, 'speech.wav'),
        join(tmp, name),
        'cuvan-room',
        codec,
        `sip:${number}@127.0.0.1:${sipPort}`,
        undefined,
        undefined,
        srtp ? 'srtp-mand' : undefined,
      );
      rooms.push(room.proc);
      // A failure part-way hangs it up (baresip sends BYE as it stops), so the next call starts clean.
      onTestFailed(() => {
        room.proc.kill('SIGTERM');
      });
      let roomPeer = '';
      for (const page of [chair, district]) {
        await waitFor(
          async () => {
            const others = Object.keys(await inboundByPeer(page)).filter((p) => !known.includes(p));
            roomPeer = others[0] ?? '';
            return others.length === 1 && (await mediaFlowingFrom(page, others, { video: true }));
          },
          (ok) => ok,
          40_000,
          "the room system's picture and sound decoded",
        ).catch(async (e: Error) => {
          throw new Error(`${e.message}\npage: ${await sessionDump(page)}\nbaresip: ${room.output().slice(-600)}`);
        });
      }
      const inbound = (await inboundByPeer(chair))[roomPeer]!;
      expect(inbound.framesDecoded).toBeGreaterThan(10);
      expect(inbound.audioEnergy).toBeGreaterThan(0);
      expect(await metric('lienthong_sip_calls')).toBe(1);
      // Three pipelines per call: its sound into the meeting, the meeting's mix and main picture back to it.
      expect(await metric('lienthong_sip_media_pipelines')).toBe(3);
      // Its tone is detected as speech (the server adds the audio level it does not send): the chair, who
      // is the main picture itself, is shown the room system as the latest other site that spoke.
      await chair
        .locator(`[data-testid="main-picture"][data-shown-peer="${roomPeer}"][data-shown-site="TN-DT-CUVAN"]`)
        .waitFor({ timeout: 20_000 });
      // The chair mutes it on the server: the district stops hearing it (its picture goes on), then hears it again.
      const consoleSite = chair.locator('[data-testid="console-site"][data-code="TN-DT-CUVAN"]');
      await consoleSite.getByTestId('mute-site').click();
      await waitFor(
        () => mediaFlowingFrom(district, [roomPeer], { video: false }),
        (ok) => !ok,
        15_000,
        'the muted room system silent',
      );
      await consoleSite.getByTestId('unmute-site').click();
      await waitFor(
        () => mediaFlowingFrom(district, [roomPeer], { video: true }),
        (ok) => ok,
        15_000,
        'the room system heard again',
      );
      if (codec.startsWith('opus')) {
        // Briefing mode: only the chair and the floor holder are heard; the chair gives the room the floor and takes it back.
        await chair.getByTestId('mode-select').selectOption('briefing');
        await waitFor(
          () => mediaFlowingFrom(district, [roomPeer], { video: false }),
          (ok) => !ok,
          15_000,
          'the room system silent in briefing',
        );
        await consoleSite.getByTestId('give-floor').click();
        await waitFor(
          () => mediaFlowingFrom(district, [roomPeer], { video: true }),
          (ok) => ok,
          15_000,
          'the room system heard with the floor',
        );
        await chair.getByTestId('take-floor').click();
        await waitFor(
          () => mediaFlowingFrom(district, [roomPeer], { video: false }),
          (ok) => !ok,
          15_000,
          'the room system silent again',
        );
        // Back to discussion its microphone stays closed (a codec cannot open it itself): the chair opens it.
        await chair.getByTestId('mode-select').selectOption('discussion');
        await chair.locator('[data-testid="console-site"][data-code="TN-DT-CUVAN"][data-mic="closed"]').waitFor({ timeout: 5000 });
        await consoleSite.getByTestId('open-mic').click();
        await waitFor(
          () => mediaFlowingFrom(district, [roomPeer], { video: true }),
          (ok) => ok,
          15_000,
          'the room system heard in discussion',
        );
      }
      // It sees the main picture (the chair's camera, re-encoded to H.264): a received frame decodes to a picture.
      const shot = join(tmp, `seen-${name}.png`);
      const look = async () => {
        rmSync(shot, { force: true });
        await baresipCommand(room.ctrl, 'snapshot_recv', shot);
        for (let i = 0; i < 10 && !existsSync(shot); i++) await new Promise((r) => setTimeout(r, 200));
        if (!existsSync(shot)) return { px: Buffer.alloc(0), mean: 0, spread: 0 };
        const px = execFileSync('ffmpeg', ['-v', 'error', '-i', shot, '-vf', 'scale=64:36', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
        const mean = px.reduce((a, b) => a + b, 0) / px.length;
        return { px, mean, spread: Math.sqrt(px.reduce((a, b) => a + (b - mean) ** 2, 0) / px.length) };
      };
      const { px, mean, spread } = await waitFor(look, (v) => v.mean > 20, 20_000, 'a picture (not black) the room system decoded');
      expect(px.length).toBe(64 * 36 * 3);
      expect(mean, 'what the room sees is not black').toBeGreaterThan(20);
      expect(spread, 'what the room sees has a picture in it').toBeGreaterThan(5);
      if (codec !== 'G722/16000/1') {
        // It hangs up (baresip sends BYE as it stops): the site leaves the meeting for everyone.
        room.proc.kill('SIGTERM');
      } else {
        // The chair removes the site: the server hangs up on the room system (BYE) and it leaves.
        const before = room.output().length;
        await consoleSite.getByTestId('remove-site').click();
        await waitFor(
          async () => /closed/i.test(room.output().slice(before)),
          (ok) => ok,
          15_000,
          'the room system told by BYE',
        );
        // Until the chair admits the site again, its codec is refused (403); then it may call again.
        expect((await sipRequest(sipPort, invite(number, 'cuvan-room', PCMU_SDP))).at(-1)).toBe('SIP/2.0 403 Forbidden');
        await chair.getByTestId('readmit-site').click();
        await chair.getByTestId('readmit-site').waitFor({ state: 'detached' });
      }
      await waitFor(
        async () => !Object.keys(await inboundByPeer(chair)).includes(roomPeer),
        (gone) => gone,
        15_000,
        'the room system gone from the chair page',
      );
      // Nothing of the call is left: no call, no pipeline.
      await waitFor(
        async () => [await metric('lienthong_sip_calls'), await metric('lienthong_sip_media_pipelines')],
        (v) => v[0] === 0 && v[1] === 0,
        10_000,
        'the call and its pipeline gone',
      );
      // It heard the meeting: the others' microphones mixed in its codec, decoded by it with sound in it.
      const dir = join(tmp, name);
      const decoded = readdirSync(dir).find((f) => f.endsWith('-dec.wav'));
      expect(decoded, readdirSync(dir).join(' ')).toBeDefined();
      const stats = execFileSync('sh', ['-c', `ffmpeg -v info -i '${join(dir, decoded!)}' -af volumedetect -f null - 2>&1`]).toString();
      const heardDb = Number(/max_volume: (-?[\d.]+) dB/.exec(stats)?.[1]);
      expect(heardDb, `${stats.slice(-300)} ${room.output().slice(-1200)}`).toBeGreaterThan(-30);
    }, 120_000);
  }

  it('SIPp: hold by re-INVITE, presentation declined, session timer answered, BYE; CANCEL; an INVITE flood refused; nothing leaks', async () => {
    const sipp = async (scenario: string, calls: number, rate = 10, timeout = '40s') => {
      const [local, media] = [await freeUdpPort(), await freeUdpPort()];
      const args = ['-sf', join(SIPP, scenario), '-s', number, `127.0.0.1:${sipPort}`, '-i', '127.0.0.1', '-p', String(local)];
      args.push(
        '-mi',
        '127.0.0.1',
        '-mp',
        String(media),
        '-m',
        String(calls),
        '-r',
        String(rate),
        '-timeout',
        timeout,
        '-timeout_error',
        '-nostdin',
        '-nd',
      );
      const run = spawnSync('sipp', args, { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
      return { status: run.status, out: `${run.stdout}${run.stderr}` };
    };
    const held = await sipp('hold-resume-bye.xml', 1);
    expect(held.status, held.out.slice(-1500)).toBe(0);
    const cancelled = await sipp('cancel.xml', 1);
    expect(cancelled.status, cancelled.out.slice(-1500)).toBe(0);
    // 100 INVITEs at 100 a second from unregistered callers: refused (or dropped past the rate), and no call starts.
    await sipp('refused.xml', 100, 100, '12s');
    expect(await metric('lienthong_sip_calls')).toBe(0);
    await waitFor(
      () => metric('lienthong_sip_media_pipelines'),
      (n) => n === 0,
      10_000,
      'no pipeline left',
    );
    expect(await metric('lienthong_sip_dropped_messages')).toBeGreaterThan(0);
    expect((await fetch(`${sfu.url}/health`)).status).toBe(200);
  }, 180_000);

  it('the chair calls room systems from the console: one answers and joins, a busy one fails with the reason', async () => {
    const register = async (siteId: string, sipUser: string, port: number) => {
      const r = await fetch(`${sfu.url}/api/room-systems`, {
        method: 'POST',
        headers: adminAuth,
        body: JSON.stringify({ siteId, name: `Codec ${sipUser}`, sipUser, address: '127.0.0.1', sipPort: port }),
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { roomSystem: { id: string } }).roomSystem.id;
    };
    // A codec that answers by itself, and one that is busy (486 to every INVITE).
    const calleePort = await freeUdpPort();
    const busy = createSocket('udp4');
    await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
    busy.on('message', (m, from) => {
      const text = m.toString();
      if (!text.startsWith('INVITE ')) return;
      const keep = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      const reply = ['SIP/2.0 486 Busy Here', ...keep.map((l) => (/^To:/i.test(l) ? `${l};tag=busy` : l)), 'Content-Length: 0', '', ''];
      busy.send(reply.join('\r\n'), from.port, from.address);
    });
    // And one that rings until cancelled (180, then 200 to the CANCEL and 487 to the INVITE).
    const ringer = createSocket('udp4');
    await new Promise<void>((r) => ringer.bind(0, '127.0.0.1', () => r()));
    let inviteLines: string[] = [];
    let cancels = 0;
    const headersOf = (text: string) =>
      text
        .split('\r\n')
        .filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l))
        .map((l) => (/^To:/i.test(l) && !l.includes('tag=') ? `${l};tag=ringer` : l));
    ringer.on('message', (m, from) => {
      const text = m.toString();
      const send = (status: string, lines: string[]) =>
        ringer.send([`SIP/2.0 ${status}`, ...lines, 'Content-Length: 0', '', ''].join('\r\n'), from.port, from.address);
      if (text.startsWith('INVITE ')) {
        inviteLines = headersOf(text);
        send('180 Ringing', inviteLines);
      } else if (text.startsWith('CANCEL ')) {
        cancels++;
        send('200 OK', headersOf(text));
        send('487 Request Terminated', inviteLines);
      }
    });
    const calleeId = await register(cuvanId, 'cuvan-callee', calleePort);
    const busyId = await register(districtId, 'district-busy', busy.address().port);
    const ringerId = await register(districtId, 'district-ringer', ringer.address().port);
    const callee = await baresip(join(tmp, 'speech.wav'), join(tmp, 'callee'), 'cuvan-callee', 'PCMU', null, calleePort);
    rooms.push(callee.proc);
    try {
      // Each codec with an address is asked by SIP OPTIONS (every 2 s here): baresip answers; the busy
      // one answers INVITEs only, so after two silent questions it is unreachable.
      await waitFor(
        async () => [
          await roomMetric('lienthong_room_system_reachable', 'Codec cuvan-callee'),
          await roomMetric('lienthong_room_system_reachable', 'Codec district-busy'),
        ],
        (v) => v[0] === 1 && v[1] === 0,
        30_000,
        'reachability of both codecs',
      );
      expect(await roomMetric('lienthong_room_system_options_rtt_seconds', 'Codec cuvan-callee')).toBeLessThan(1);
      // The chair's readiness board shows both, and the district's silent codec as a weak point.
      const board = await signedIn(browser, sfu.httpsUrl(), 'admin', ADMIN_PASSWORD);
      await board.goto(`${sfu.httpsUrl()}/#/readiness/${meetingId}`);
      const chip = (code: string, name: string) =>
        board.locator(`[data-testid="readiness-site"][data-code="${code}"] [data-testid="readiness-room"]`, { hasText: name });
      await chip('TN-DT-CUVAN', 'Codec cuvan-callee').and(board.locator('[data-state="reachable"]')).waitFor({ timeout: 15_000 });
      expect(await chip('TN-DT-CUVAN', 'Codec cuvan-callee').textContent()).toMatch(/trả lời \(\d+ ms\)/);
      await chip('TN-DT', 'Codec district-busy').and(board.locator('[data-state="unreachable"]')).waitFor({ timeout: 15_000 });
      expect(
        await board.locator('[data-testid="readiness-site"][data-code="TN-DT"] [data-testid="readiness-reasons"]').textContent(),
      ).toContain('codec phòng họp không trả lời');
      const known = await Promise.all([myPeerId(chair), myPeerId(district)]);
      // The console lists both (it reads the list again every 15 s); the chair calls Cù Vân's.
      const row = (id: string) => chair.locator(`[data-testid="dial-room"][data-room="${id}"]`);
      await row(calleeId).waitFor({ timeout: 25_000 });
      await row(calleeId).getByTestId('dial-room-call').click();
      await chair.locator(`[data-testid="dial-room"][data-room="${calleeId}"][data-state="connected"]`).waitFor({ timeout: 20_000 });
      expect(await row(calleeId).getByTestId('dial-state').textContent()).toContain('Đã kết nối');
      // It is in the meeting: both browsers decode its picture and hear it.
      for (const page of [chair, district])
        await waitFor(
          async () => {
            const others = Object.keys(await inboundByPeer(page)).filter((p) => !known.includes(p));
            return others.length === 1 && (await mediaFlowingFrom(page, others, { video: true }));
          },
          (ok) => ok,
          40_000,
          'the called room system seen and heard',
        );
      expect(await metric('lienthong_sip_calls')).toBe(1);
      // The busy one: the console says why.
      await row(busyId).getByTestId('dial-room-call').click();
      await chair.locator(`[data-testid="dial-room"][data-room="${busyId}"][data-state="failed"]`).waitFor({ timeout: 15_000 });
      expect(await row(busyId).getByTestId('dial-state').textContent()).toContain('486 Busy Here');
      // One that rings: the chair cancels it from the console; the room gets a CANCEL.
      await row(ringerId).getByTestId('dial-room-call').click();
      await chair.locator(`[data-testid="dial-room"][data-room="${ringerId}"][data-state="ringing"]`).waitFor({ timeout: 15_000 });
      expect(await row(ringerId).getByTestId('dial-room-hangup').textContent()).toBe('Hủy cuộc gọi');
      await row(ringerId).getByTestId('dial-room-hangup').click();
      await chair.locator(`[data-testid="dial-room"][data-room="${ringerId}"][data-state="ended"]`).waitFor({ timeout: 10_000 });
      expect(await row(ringerId).getByTestId('dial-state').textContent()).toContain('chủ trì đã hủy');
      await waitFor(
        async () => cancels,
        (n) => n >= 1,
        5000,
        'the CANCEL at the room',
      );
      expect(await row(calleeId).getByTestId('dial-room-hangup').textContent()).toBe('Gác máy');
      // One in the meeting cannot be called again.
      expect(await row(calleeId).getByTestId('dial-room-call').isDisabled()).toBe(true);
      // In the call, the board says so (pushed, no reload), and the call's numbers are exported.
      await chip('TN-DT-CUVAN', 'Codec cuvan-callee').and(board.locator('[data-state="in-call"]')).waitFor({ timeout: 15_000 });
      await waitFor(
        () => roomMetric('lienthong_room_call_receive_bits_per_second', 'Codec cuvan-callee'),
        (bps) => bps > 10_000,
        20_000,
        'the call bit rate exported',
      );
      expect(await roomMetric('lienthong_room_system_in_call', 'Codec cuvan-callee')).toBe(1);
      // The province's network engineer finds both codecs on the nms site views: the callee in the
      // meeting with its call's numbers, the district's silent one not answering.
      const engineer = await signedIn(browser, sfu.httpsUrl(), 'mang.tinh', PASSWORD);
      await engineer.goto(`${sfu.httpsUrl()}/#/network/sites/TN-DT-CUVAN`);
      const inCall = engineer.locator('[data-testid="watched-room"][data-in-call="true"]', { hasText: 'Codec cuvan-callee' });
      await inCall.waitFor({ timeout: 20_000 });
      expect(await inCall.getAttribute('data-state')).toBe('reachable');
      expect(await inCall.getByTestId('watched-room-call').textContent()).toMatch(
        /Đang trong cuộc họp .+:\s+RTT [\s\S]* Mất gói [\s\S]*nhận từ phòng \S+ (kbit|Mbit)\/s/,
      );
      await engineer.goto(`${sfu.httpsUrl()}/#/network/sites/TN-DT`);
      await engineer
        .locator('[data-testid="watched-room"][data-state="unreachable"][data-in-call="false"]', { hasText: 'Codec district-busy' })
        .waitFor({ timeout: 20_000 });
      await engineer.context().close();
      // It hangs up while the meeting runs: the console shows the call ended, the chair is told the room
      // dropped out, it is counted (the RoomSystemDropped alert), and nothing is left.
      callee.proc.kill('SIGTERM');
      await chair.locator(`[data-testid="dial-room"][data-room="${calleeId}"][data-state="ended"]`).waitFor({ timeout: 15_000 });
      const told = chair.getByTestId('room-system-dropped').filter({ hasText: 'Codec cuvan-callee' });
      await told.waitFor({ timeout: 10_000 });
      expect(await told.textContent()).toContain('Codec cuvan-callee: codec gác máy');
      expect(await district.getByTestId('room-system-dropped').count()).toBe(0);
      expect(await roomMetric('lienthong_room_system_drops_total', 'Codec cuvan-callee')).toBe(1);
      // Gone from the network: two unanswered questions later it is unreachable.
      await waitFor(
        () => roomMetric('lienthong_room_system_reachable', 'Codec cuvan-callee'),
        (v) => v === 0,
        30_000,
        'the callee unreachable',
      );
      await board.context().close();
      await waitFor(
        async () => [await metric('lienthong_sip_calls'), await metric('lienthong_sip_media_pipelines')],
        (v) => v[0] === 0 && v[1] === 0,
        10_000,
        'the call and its pipelines gone',
      );
    } finally {
      callee.proc.kill('SIGKILL');
      busy.close();
      ringer.close();
    }
  }, 150_000);

  it('refuses with the status that says why, and stays up', async () => {
    // Unknown number, unregistered caller, a site not invited, nothing in common.
    expect(await sipRequest(sipPort, invite('999999', 'cuvan-room', VP8_ONLY_SDP))).toContain('SIP/2.0 404 Not Found');
    expect((await sipRequest(sipPort, invite(number, 'nobody', VP8_ONLY_SDP))).at(-1)).toBe('SIP/2.0 403 Forbidden');
    expect((await sipRequest(sipPort, invite(number, 'thuongnung-room', VP8_ONLY_SDP))).at(-1)).toBe('SIP/2.0 403 Forbidden');
    expect((await sipRequest(sipPort, invite(number, 'cuvan-room', VP8_ONLY_SDP))).at(-1)).toBe('SIP/2.0 488 Not Acceptable Here');
    expect((await sipRequest(sipPort, invite(number, 'cuvan-room', 'not an sdp'))).at(-1)).toMatch(/^SIP\/2\.0 (400|488)/);
    // Garbage and a malformed request get nothing, and the server still answers OPTIONS.
    const s = createSocket('udp4');
    s.send(Buffer.from('INVITE sip:x SIP/2.0\r\nVia: ???\r\n\r\n'), sipPort, '127.0.0.1');
    s.send(Buffer.alloc(3000, 0xff), sipPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    s.close();
    const options = await sipRequest(sipPort, (p) =>
      [
        `OPTIONS sip:${number}@127.0.0.1 SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bKopt${Date.now()}`,
        'From: <sip:probe@127.0.0.1>;tag=1',
        'To: <sip:probe@127.0.0.1>',
        'Call-ID: options-probe',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect(options).toEqual(['SIP/2.0 200 OK']);
    expect((await fetch(`${sfu.url}/health`)).status).toBe(200);
  }, 60_000);
});
