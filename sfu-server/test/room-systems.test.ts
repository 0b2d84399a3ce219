import { parse } from 'sdp-transform';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../src/core';
import { fitsLevel, levelOf, pictureFor } from '../src/domain/room-systems/picture';
import { DOWN_AFTER, ReachabilityBook } from '../src/domain/room-systems/reachability';
import { answer, negotiate, SdpError } from '../src/domain/room-systems/sdp';
import { audioIngressArgs } from '../src/sip/audio-ingress';
import { audioReturnArgs, planMix } from '../src/sip/audio-return';
import { asksKeyFrame, isRtcp, receiverReport } from '../src/sip/rtcp';
import { videoReturnArgs } from '../src/sip/video-return';
import { actorOf, makeCore } from './support/core';

const sdp = (...lines: string[]) => ['v=0', 'o=- 1 1 IN IP4 10.0.0.9', 's=-', 'c=IN IP4 10.0.0.9', 't=0 0', ...lines, ''].join('\r\n');

// What baresip 1.0 offers (trimmed): G.711, G.722, Opus; H.264 in both packetization modes.
const BARESIP = sdp(
  'm=audio 7892 RTP/AVP 0 8 9 96 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:96 opus/48000/2',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ssrc:2402313486 cname:room',
  'm=video 10924 RTP/AVP 96 97 34',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=0;profile-level-id=42e01f',
  'a=rtpmap:97 H264/90000',
  'a=fmtp:97 packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:34 H263/90000',
  'a=ssrc:141249480 cname:room',
  'a=content:main',
);

describe('SDP offer/answer with a room system', () => {
  it('takes Opus first, then G.722, then G.711, and H.264 in packetization mode 1', () => {
    const n = negotiate(BARESIP);
    expect(n.audio).toMatchObject({
      codec: 'opus',
      payloadType: 96,
      ssrc: 2402313486,
      remote: { ip: '10.0.0.9', port: 7892 },
      telephoneEvent: 101,
    });
    expect(n.video).toMatchObject({ payloadType: 97, packetizationMode: 1, profileLevelId: '42e01f', ssrc: 141249480 });
    const g722 = negotiate(BARESIP.replace('0 8 9 96 101', '0 8 9 101'));
    expect(g722.audio.codec).toBe('G722');
    const pcma = negotiate(sdp('m=audio 4000 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000'));
    expect(pcma.audio).toMatchObject({ codec: 'PCMA', payloadType: 8 });
    // Static payload types without rtpmap lines (RFC 3551) are understood.
    expect(negotiate(sdp('m=audio 4000 RTP/AVP 0')).audio.codec).toBe('PCMU');
    expect(negotiate(sdp('m=audio 4000 RTP/AVP 9')).audio.codec).toBe('G722');
  });

  it('answers each line: the chosen codec on ours, port 0 on a presentation line and anything else', () => {
    const offer = `${BARESIP}m=video 10926 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\na=content:slides\r\nm=application 5070 UDP/BFCP *\r\n`;
    const n = negotiate(offer);
    expect(n.lines.map((l) => l.kind)).toEqual(['audio', 'video', 'declined', 'declined']);
    const a = parse(answer(n, { ip: '192.0.2.10', audioPort: 30000, videoPort: 30002, videoRtcpPort: 30009, sessionId: 7, version: 1 }));
    expect(a.media.map((m) => m.port)).toEqual([30000, 30002, 0, 0]);
    expect(a.connection?.ip).toBe('192.0.2.10');
    expect(a.media[0]!.rtp.map((r) => r.codec)).toEqual(['opus', 'telephone-event']);
    expect(a.media[1]!.rtp).toEqual([{ payload: 97, codec: 'H264', rate: 90000 }]);
    expect(a.media[1]!.fmtp[0]!.config).toBe('profile-level-id=42e01f;packetization-mode=1');
    expect(a.media[1]!.rtcp?.port).toBe(30009);
    expect(a.media[1]!.rtcpFb?.map((f) => `${f.type} ${f.subtype ?? ''}`.trim())).toEqual(['nack', 'nack pli', 'ccm fir']);
  });

  it('answers hold with the mirrored direction', () => {
    const n = negotiate(BARESIP.replace('a=ssrc:2402313486', 'a=sendonly\r\na=ssrc:2402313486'));
    const a = parse(answer(n, { ip: '192.0.2.10', audioPort: 30000, videoPort: null, sessionId: 7, version: 2 }));
    expect(a.media[0]!.direction).toBe('recvonly');
    expect(a.media[1]!.port).toBe(0);
  });

  it('refuses what it cannot carry: 488 without a common audio codec, video dropped without usable H.264, 400 on junk', () => {
    const noAudio = () => negotiate(sdp('m=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000'));
    expect(noAudio).toThrow(SdpError);
    try {
      noAudio();
    } catch (e) {
      expect((e as SdpError).sipStatus).toBe(488);
    }
    const vp8 = negotiate(sdp('m=audio 4000 RTP/AVP 0', 'm=video 4002 RTP/AVP 96', 'a=rtpmap:96 VP8/90000'));
    expect(vp8.video).toBeNull();
    expect(vp8.lines.map((l) => l.kind)).toEqual(['audio', 'declined']);
    // High profile is not decoded by every browser: no video rather than a picture some sites cannot see.
    const high = negotiate(
      sdp(
        'm=audio 4000 RTP/AVP 0',
        'm=video 4002 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'a=fmtp:96 profile-level-id=640028;packetization-mode=1',
      ),
    );
    expect(high.video).toBeNull();
    // SRTP-only lines (RTP/SAVP) are not plain RTP.
    expect(() => negotiate(sdp('m=audio 4000 RTP/SAVP 0'))).toThrow(SdpError);
    expect(() => negotiate('hello')).toThrow(SdpError);
    expect(() => negotiate(sdp('m=audio 4000 RTP/AVP 0').replace('c=IN IP4 10.0.0.9\r\n', ''))).toThrow(/connection address/);
    expect(() => negotiate('x'.repeat(20_000))).toThrow(/too large/);
  });

  it('takes SRTP lines keyed by SDES (AES_CM_128_HMAC_SHA1_80) and answers each with our key under its tag', () => {
    const KEY_A = Buffer.alloc(30, 1).toString('base64');
    const KEY_V = Buffer.alloc(30, 2).toString('base64');
    const offer = BARESIP.replace('RTP/AVP 0 8 9 96 101', 'RTP/SAVP 0 8 9 96 101')
      .replace('m=video 10924 RTP/AVP', 'm=video 10924 RTP/SAVP')
      .replace(
        'a=ssrc:2402313486',
        `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEY_V}\r\na=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${KEY_A}|2^31\r\na=ssrc:2402313486`,
      )
      .replace('a=ssrc:141249480', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_V}\r\na=ssrc:141249480`);
    const n = negotiate(offer);
    expect(n.audio.srtp).toEqual({ tag: 3, suite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: KEY_A });
    expect(n.video?.srtp).toEqual({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: KEY_V });
    const ours = { a: Buffer.alloc(30, 3).toString('base64'), v: Buffer.alloc(30, 4).toString('base64') };
    const ans = parse(
      answer(n, { ip: '10.0.0.1', audioPort: 4000, videoPort: 5000, audioKey: ours.a, videoKey: ours.v, sessionId: 1, version: 1 }),
    );
    expect(ans.media.map((m) => m.protocol)).toEqual(['RTP/SAVP', 'RTP/SAVP']);
    expect(ans.media[0]?.crypto).toEqual([{ id: 3, suite: 'AES_CM_128_HMAC_SHA1_80', config: `inline:${ours.a}` }]);
    expect(ans.media[1]?.crypto).toEqual([{ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80', config: `inline:${ours.v}` }]);
    // Plain lines carry no key.
    expect(negotiate(BARESIP).audio.srtp).toBeNull();
  });

  it('refuses SRTP it cannot key: 488 when the audio offers no usable key (other suite, short key, none)', () => {
    const savp = (crypto: string) => sdp('m=audio 4000 RTP/SAVP 0', 'a=rtpmap:0 PCMU/8000', ...(crypto ? [crypto] : []));
    const short = Buffer.alloc(16, 1).toString('base64');
    for (const c of [
      '',
      `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${Buffer.alloc(46).toString('base64')}`,
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${short}`,
    ]) {
      expect(() => negotiate(savp(c)), c).toThrow(SdpError);
      try {
        negotiate(savp(c));
      } catch (e) {
        expect((e as SdpError).sipStatus).toBe(488);
      }
    }
  });

  it('re-encodes each audio codec to Opus with the audio-level extension for active speaker', () => {
    const n = negotiate(sdp('m=audio 4000 RTP/AVP 9'));
    const args = audioIngressArgs(n.audio, '127.0.0.1', 31000, { port: 42000, ssrc: 1234 });
    const text = args.join(' ');
    expect(text).toContain(
      'udpsrc address=127.0.0.1 port=31000 caps=application/x-rtp,media=audio,clock-rate=8000,encoding-name=G722,payload=9',
    );
    expect(text).toContain('rtpg722depay ! avdec_g722');
    expect(text).toContain('level audio-level-meta=true');
    expect(text).toContain('rtpopuspay pt=100 ssrc=1234 auto-header-extension=true');
    expect(text).toContain('urn:ietf:params:rtp-hdrext:ssrc-audio-level');
    expect(text).toMatch(/udpsink host=127\.0\.0\.1 port=42000/);
  });
});

describe('what a room system hears', () => {
  it('keeps each microphone in its mixer slot while it is wanted; new ones take free slots', () => {
    expect(planMix([null, null, null], ['a', 'b'])).toEqual(['a', 'b', null]);
    expect(planMix(['a', 'b', null], ['c', 'b'])).toEqual(['c', 'b', null]);
    expect(planMix(['a', 'b', 'c'], ['d', 'c', 'a'])).toEqual(['a', 'd', 'c']);
    expect(planMix(['a', 'b'], [])).toEqual([null, null]);
  });

  it("mixes Opus inputs and encodes in the call's codec toward its address", () => {
    const g722 = negotiate(sdp('m=audio 4000 RTP/AVP 9'));
    const text = audioReturnArgs(g722.audio, {
      inputs: [5001, 5002],
      discardPort: 5003,
      opusPt: 100,
      to: { ip: '10.0.0.9', port: 4000 },
      ssrc: 7,
    }).join(' ');
    expect(
      text.match(
        /udpsrc address=127\.0\.0\.1 port=500[12] caps=application\/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=100/g,
      ),
    ).toHaveLength(2);
    expect(text).toContain('audiomixer name=mix');
    expect(text).toContain('audio/x-raw,rate=16000,channels=1 ! avenc_g722 ! rtpg722pay pt=9 ssrc=7 ! udpsink host=10.0.0.9 port=4000');
    const pcmu = audioReturnArgs(negotiate(sdp('m=audio 4000 RTP/AVP 0')).audio, {
      inputs: [5001],
      discardPort: 5003,
      opusPt: 100,
      to: { ip: '10.0.0.9', port: 4000 },
      ssrc: 7,
    });
    expect(pcmu.join(' ')).toContain('mulawenc ! rtppcmupay pt=0');
  });
});

describe('what a room system sees', () => {
  it('re-encodes the main picture over black to H.264 Constrained Baseline in the payload type the call agreed', () => {
    const v = negotiate(BARESIP).video!;
    const text = videoReturnArgs(v, {
      input: 6001,
      h264Input: 6004,
      discardPort: 6002,
      vp8Pt: 101,
      to: v.remote,
      rtcpIn: 6003,
      rtcpTo: { ip: v.remote.ip, port: v.remoteRtcpPort },
      ssrc: 42,
      width: 640,
      height: 360,
      fps: 25,
      kbps: 800,
    }).join(' ');
    expect(text).toContain('videotestsrc is-live=true pattern=black');
    expect(text).toContain(
      'udpsrc address=127.0.0.1 port=6001 caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=101 ! rtpvp8depay wait-for-keyframe=true',
    );
    // Another room system's H.264 is decoded into the same picture.
    expect(text).toContain(
      'udpsrc address=127.0.0.1 port=6004 caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264 ! rtph264depay ! avdec_h264',
    );
    expect(text).toContain('video/x-h264,profile=constrained-baseline');
    expect(text).toContain('rtph264pay pt=97 ssrc=42 config-interval=-1');
    expect(text).toContain('rb.send_rtp_src_0 ! udpsink host=10.0.0.9 port=10924');
    // Keyframe requests reach the encoder through the rtpbin; its reports go to the room's RTCP port.
    expect(text).toContain('udpsrc address=127.0.0.1 port=6003 ! rb.recv_rtcp_sink_0');
    expect(text).toContain('rb.send_rtcp_src_0 ! udpsink host=10.0.0.9 port=10925');
  });
});

describe('the RTCP of a room call', () => {
  it('finds a PLI or FIR in a compound packet, and nothing in plain reports', () => {
    expect(asksKeyFrame(receiverReport(1, 2))).toBe(true);
    expect(asksKeyFrame(receiverReport(1))).toBe(false);
    const fir = Buffer.concat([receiverReport(1), Buffer.from([0x84, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 0, 0])]);
    expect(asksKeyFrame(fir)).toBe(true);
    // A NACK (RTPFB) is no keyframe request; a truncated or non-RTCP buffer is nothing.
    const nack = Buffer.concat([receiverReport(1), Buffer.from([0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 0, 0])]);
    expect(asksKeyFrame(nack)).toBe(false);
    expect(asksKeyFrame(Buffer.from([0x80, 96, 0, 1]))).toBe(false);
    expect(isRtcp(receiverReport(1))).toBe(true);
    expect(isRtcp(Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0]))).toBe(false);
  });

  it('takes the RTCP port from a=rtcp, else the one after RTP', () => {
    expect(negotiate(BARESIP).video!.remoteRtcpPort).toBe(negotiate(BARESIP).video!.remote.port + 1);
    const moved = BARESIP.replace(/(m=video \d+ [^\r\n]*)/, '$1\r\na=rtcp:7777');
    expect(negotiate(moved).video!.remoteRtcpPort).toBe(7777);
  });
});

describe('room systems and dial-in numbers', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());
  const open = async () => {
    const made = await makeCore();
    cleanup = made.cleanup;
    return made.core;
  };
  const actor = (c: Core, username: string) => actorOf(c.store.getUserByUsername(username)!);

  it('registers for the managers of the site, identifies calls by user and address, keeps one number per meeting', async () => {
    const c = await open();
    const admin = actor(c, 'admin');
    const participant = actor(c, 'daibieu.dt');
    const cuvan = c.sites.getByCode('TN-DT-CUVAN')!;
    expect(() => c.roomSystems.create(participant, { siteId: cuvan.id, name: 'x', sipUser: 'x' })).toThrow(/may not/);
    const rs = c.roomSystems.create(admin, { siteId: cuvan.id, name: 'Codec Cù Vân', sipUser: 'cuvan', address: '10.1.2.3' });
    expect(() => c.roomSystems.create(admin, { siteId: cuvan.id, name: 'again', sipUser: 'cuvan' })).toThrow(
      expect.objectContaining({ code: 'SIP_USER_TAKEN' }),
    );
    expect(c.roomSystems.identify('cuvan', '10.1.2.3')?.id).toBe(rs.id);
    expect(c.roomSystems.identify('cuvan', '10.1.2.4')).toBeUndefined();
    expect(c.roomSystems.identify('other', '10.1.2.3')).toBeUndefined();
    expect(c.roomSystems.list(participant).map((r) => r.id)).toEqual([rs.id]);

    const meeting = c.meetings.upcoming(admin, { limit: 1 })[0]!;
    const n = c.roomSystems.dialNumber(meeting.id);
    expect(n).toMatch(/^\d{6}$/);
    expect(c.roomSystems.dialNumber(meeting.id)).toBe(n);
    expect(c.roomSystems.meetingOfNumber(n)).toBe(meeting.id);
    expect(() => c.roomSystems.dialNumber('no-such-meeting')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));

    // Joining follows the meeting's rules for the site: Cù Vân is invited (Đại Từ subtree), Thượng Nung is not.
    expect(c.roomSystems.checkJoin(cuvan.id, meeting.id).site.id).toBe(cuvan.id);
    const thuongnung = c.sites.getByCode('TN-VN-THUONGNUNG')!;
    expect(() => c.roomSystems.checkJoin(thuongnung.id, meeting.id)).toThrow(expect.objectContaining({ code: 'NOT_INVITED' }));

    c.roomSystems.remove(admin, rs.id);
    expect(c.roomSystems.identify('cuvan', '10.1.2.3')).toBeUndefined();
  });
});

describe('room-system reachability (SIP OPTIONS answers)', () => {
  it('is reachable at the first answer, unreachable only after answers are missed in a row, and tells each change once', () => {
    const book = new ReachabilityBook();
    expect(book.view('r').state).toBe('unknown');
    expect(book.record('r', null, 1)).toBeNull(); // one lost datagram: not known yet, not down
    expect(book.record('r', { status: 200, rttMs: 12 }, 2)).toEqual({ id: 'r', from: 'unknown', to: 'reachable' });
    expect(book.view('r')).toEqual({ state: 'reachable', rttMs: 12, status: 200, lastAnswerAt: 2, checkedAt: 2 });
    expect(book.record('r', { status: 200, rttMs: 9 }, 3)).toBeNull();
    for (let i = 1; i < DOWN_AFTER; i++) expect(book.record('r', null, 3 + i)).toBeNull();
    expect(book.view('r').state).toBe('reachable');
    expect(book.record('r', null, 10)).toEqual({ id: 'r', from: 'reachable', to: 'unreachable' });
    expect(book.view('r')).toMatchObject({ state: 'unreachable', lastAnswerAt: 3, checkedAt: 10 });
    // A refusal is an answer: its SIP stack is up.
    expect(book.record('r', { status: 403, rttMs: 30 }, 11)).toEqual({ id: 'r', from: 'unreachable', to: 'reachable' });
    book.keepOnly(new Set());
    expect(book.view('r').state).toBe('unknown');
  });
});

describe('the picture a room system is sent', () => {
  const hd = { width: 1280, height: 720, fps: 25, kbps: 1500 };
  it('is the configured size when its H.264 level takes it, else the largest smaller one that fits', () => {
    expect(pictureFor('42e01f', hd)).toEqual(hd); // level 3.1: 720p25
    expect(pictureFor('42e028', hd)).toEqual(hd); // 4.0
    expect(pictureFor('42e01e', hd)).toEqual({ width: 640, height: 360, fps: 25, kbps: 800 }); // 3.0: no 720p
    expect(pictureFor('42e016', hd)).toEqual({ width: 320, height: 180, fps: 25, kbps: 300 }); // 2.2: 360p25 is over its macroblock rate
    expect(pictureFor('42e01e', { width: 640, height: 360, fps: 25, kbps: 800 })).toEqual({ width: 640, height: 360, fps: 25, kbps: 800 });
    expect(fitsLevel({ width: 1280, height: 720, fps: 30 }, 31)).toBe(true);
    expect(fitsLevel({ width: 1280, height: 720, fps: 60 }, 31)).toBe(false);
    expect(levelOf('zz')).toBe(31);
  });
});
