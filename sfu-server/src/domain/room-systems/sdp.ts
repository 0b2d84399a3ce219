// Offer/answer with a meeting-room codec (RFC 3264): one audio line (Opus, G.722, G.711), one main
// video line (H.264, packetization-mode 1 preferred, Constrained Baseline or Baseline at the level
// it offers); every other line (content/BFCP, a second video, T.140) is declined with port 0. A line
// over SRTP (RTP/SAVP with SDES keys, RFC 4568) is taken when it offers AES_CM_128_HMAC_SHA1_80.
import { parse, write } from 'sdp-transform';

export type AudioCodecName = 'opus' | 'G722' | 'PCMU' | 'PCMA';

export interface AudioChoice {
  codec: AudioCodecName;
  payloadType: number;
  /** RTP clock rate as signalled (G.722 says 8000 though it samples at 16 kHz). */
  clockRate: number;
  channels: number;
  /** Where the room sends from, if it said (a=ssrc); also where it wants our audio. */
  ssrc: number | null;
  remote: { ip: string; port: number };
  /** DTMF events it offered (answered so its keypad works later). */
  telephoneEvent: number | null;
  srtp: SdesKey | null;
}

/** The room's SRTP key for a line (SDES a=crypto): its tag, answered with ours under the same tag. */
export interface SdesKey {
  tag: number;
  suite: typeof SRTP_SUITE;
  /** 30 bytes of master key and salt, base64, as the room sends with it. */
  keyBase64: string;
}

export const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';

export interface VideoChoice {
  payloadType: number;
  packetizationMode: 0 | 1;
  /** As offered, lower-case hex (profile_idc, constraints, level_idc). */
  profileLevelId: string;
  ssrc: number | null;
  remote: { ip: string; port: number };
  /** Where its RTCP goes: a=rtcp, else the port after RTP. */
  remoteRtcpPort: number;
  srtp: SdesKey | null;
}

export interface Negotiated {
  audio: AudioChoice;
  video: VideoChoice | null;
  /** Index of each m= line and what we do with it, in the offer's order. */
  lines: { kind: 'audio' | 'video' | 'declined'; type: string; protocol: string; payloads: string }[];
  /** The offer's a=sendonly/recvonly/inactive on audio (hold). */
  audioDirection: string;
}

export class SdpError extends Error {
  constructor(
    readonly sipStatus: 400 | 488,
    message: string,
  ) {
    super(message);
  }
}

const AUDIO_PREFERENCE: AudioCodecName[] = ['opus', 'G722', 'PCMU', 'PCMA'];
const STATIC_AUDIO: Record<number, { codec: AudioCodecName; rate: number }> = {
  0: { codec: 'PCMU', rate: 8000 },
  8: { codec: 'PCMA', rate: 8000 },
  9: { codec: 'G722', rate: 8000 },
};
/** Baseline profiles the server can take and the browsers decode: 42 (Baseline) with any constraints. */
const H264_BASELINE = /^42[0-9a-f]{2}[0-9a-f]{2}$/;

type Media = ReturnType<typeof parse>['media'][number];

function fmtpOf(m: Media, pt: number): Record<string, string> {
  const line = m.fmtp?.find((f) => f.payload === pt)?.config ?? '';
  const out: Record<string, string> = {};
  for (const part of line.split(';')) {
    const [k, v] = part.split('=');
    if (k?.trim()) out[k.trim().toLowerCase()] = (v ?? '').trim();
  }
  return out;
}

/** The line's SDES key we can use (a 30-byte inline key of AES_CM_128_HMAC_SHA1_80), or null. */
function sdesKey(m: Media): SdesKey | null {
  for (const c of m.crypto ?? []) {
    if (c.suite !== SRTP_SUITE) continue;
    const inline = /^inline:([A-Za-z0-9+/]+={0,2})(\|[^\s]*)?$/.exec(c.config.trim().split(/\s+/)[0] ?? '');
    if (inline && Buffer.from(inline[1]!, 'base64').length === 30) return { tag: Number(c.id), suite: SRTP_SUITE, keyBase64: inline[1]! };
  }
  return null;
}

const payloadList = (m: Media): number[] =>
  String(m.payloads ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 0 && n <= 127);

const ssrcOf = (m: Media): number | null => {
  const s = m.ssrcs?.[0]?.id;
  return s === undefined ? null : Number(s);
};

function remoteOf(sdp: ReturnType<typeof parse>, m: Media): { ip: string; port: number } {
  const ip = m.connection?.ip ?? sdp.connection?.ip;
  if (!ip) throw new SdpError(400, 'No connection address (c=) for a media line');
  return { ip, port: m.port };
}

function chooseAudio(sdp: ReturnType<typeof parse>, m: Media): AudioChoice | null {
  const offered = payloadList(m).map((pt) => {
    const rtp = m.rtp.find((r) => r.payload === pt);
    const codec = rtp
      ? (AUDIO_PREFERENCE.find((c) => c.toLowerCase() === rtp.codec.toLowerCase()) ?? null)
      : (STATIC_AUDIO[pt]?.codec ?? null);
    return { pt, codec, rate: rtp?.rate ?? STATIC_AUDIO[pt]?.rate ?? 0, channels: Number(rtp?.encoding ?? 1) || 1 };
  });
  for (const want of AUDIO_PREFERENCE) {
    const hit = offered.find((o) => o.codec === want && (want !== 'opus' || o.rate === 48000));
    if (!hit) continue;
    const dtmf = m.rtp.find((r) => r.codec.toLowerCase() === 'telephone-event' && r.rate === 8000);
    return {
      codec: want,
      payloadType: hit.pt,
      clockRate: hit.rate,
      channels: want === 'opus' ? 2 : 1,
      ssrc: ssrcOf(m),
      remote: remoteOf(sdp, m),
      telephoneEvent: dtmf?.payload ?? null,
      srtp: sdesKey(m),
    };
  }
  return null;
}

function chooseVideo(sdp: ReturnType<typeof parse>, m: Media): VideoChoice | null {
  const h264 = payloadList(m)
    .map((pt) => ({ pt, rtp: m.rtp.find((r) => r.payload === pt) }))
    .filter((o) => o.rtp?.codec.toLowerCase() === 'h264' && o.rtp.rate === 90000)
    .map((o) => {
      const f = fmtpOf(m, o.pt);
      const plid = (f['profile-level-id'] ?? '42001f').toLowerCase();
      return { pt: o.pt, mode: f['packetization-mode'] === '1' ? 1 : 0, plid } as const;
    })
    .filter((o) => H264_BASELINE.test(o.plid));
  // Mode 1 (FU-A) carries big keyframes without IP fragmentation; mode 0 only when it is all there is.
  const best = h264.find((o) => o.mode === 1) ?? h264[0];
  if (!best) return null;
  const remote = remoteOf(sdp, m);
  return {
    payloadType: best.pt,
    packetizationMode: best.mode,
    profileLevelId: best.plid,
    ssrc: ssrcOf(m),
    remote,
    remoteRtcpPort: m.rtcp?.port ?? remote.port + 1,
    srtp: sdesKey(m),
  };
}

const isMainVideo = (m: Media) => {
  const content = (m as Media & { content?: string }).content;
  return !content || content === 'main';
};

/** Reads an offer and picks what the call will carry; throws SdpError (400 malformed, 488 nothing usable). */
export function negotiate(offerSdp: string): Negotiated {
  if (offerSdp.length > 16_384) throw new SdpError(400, 'SDP too large');
  const sdp = parse(offerSdp);
  if (!Array.isArray(sdp.media) || sdp.media.length === 0) throw new SdpError(400, 'SDP has no media lines');
  let audio: AudioChoice | null = null;
  let video: VideoChoice | null = null;
  const lines: Negotiated['lines'] = [];
  let audioDirection = 'sendrecv';
  for (const m of sdp.media) {
    const base = { type: String(m.type), protocol: String(m.protocol), payloads: String(m.payloads ?? '') };
    const secure = (m.protocol === 'RTP/SAVP' || m.protocol === 'RTP/SAVPF') && sdesKey(m) !== null;
    const plainRtp = m.protocol === 'RTP/AVP' || m.protocol === 'RTP/AVPF' || secure;
    if (m.type === 'audio' && !audio && plainRtp && m.port > 0) {
      audio = chooseAudio(sdp, m);
      if (audio) {
        audioDirection = m.direction ?? sdp.direction ?? 'sendrecv';
        lines.push({ ...base, kind: 'audio' });
        continue;
      }
    }
    if (m.type === 'video' && !video && plainRtp && m.port > 0 && isMainVideo(m)) {
      video = chooseVideo(sdp, m);
      if (video) {
        lines.push({ ...base, kind: 'video' });
        continue;
      }
    }
    lines.push({ ...base, kind: 'declined' });
  }
  if (!audio) throw new SdpError(488, 'No common audio codec (Opus, G.722, G.711) over RTP, or SRTP keyed with AES_CM_128_HMAC_SHA1_80');
  return { audio, video, lines, audioDirection };
}

const AUDIO_RTPMAP: Record<AudioCodecName, (c: AudioChoice) => { codec: string; rate: number; encoding?: number }> = {
  opus: () => ({ codec: 'opus', rate: 48000, encoding: 2 }),
  G722: () => ({ codec: 'G722', rate: 8000 }),
  PCMU: () => ({ codec: 'PCMU', rate: 8000 }),
  PCMA: () => ({ codec: 'PCMA', rate: 8000 }),
};

export interface AnswerPorts {
  ip: string;
  audioPort: number;
  videoPort: number | null;
  videoRtcpPort?: number | undefined;
  /** Our SRTP keys (base64) for the lines the room keyed. */
  audioKey?: string | undefined;
  videoKey?: string | undefined;
  sessionId: number;
  version: number;
}

const ANSWER_DIRECTION: Record<string, 'sendrecv' | 'recvonly' | 'sendonly' | 'inactive'> = {
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

/** Our key for a line the room keyed, under its tag. */
const crypto = (theirs: SdesKey | null, ours: string | undefined) =>
  theirs && ours ? { crypto: [{ id: theirs.tag, suite: theirs.suite, config: `inline:${ours}` }] } : {};

/** Our answer: the chosen codec on each line we take, port 0 on the others. */
export function answer(n: Negotiated, ports: AnswerPorts): string {
  const media = n.lines.map((l) => {
    if (l.kind === 'audio') {
      const a = n.audio;
      const rtp = [{ payload: a.payloadType, ...AUDIO_RTPMAP[a.codec](a) }];
      if (a.telephoneEvent !== null) rtp.push({ payload: a.telephoneEvent, codec: 'telephone-event', rate: 8000 });
      return {
        type: 'audio',
        port: ports.audioPort,
        protocol: l.protocol,
        payloads: rtp.map((r) => r.payload).join(' '),
        rtp,
        fmtp: a.telephoneEvent !== null ? [{ payload: a.telephoneEvent, config: '0-15' }] : [],
        direction: ANSWER_DIRECTION[n.audioDirection] ?? 'sendrecv',
        ptime: 20,
        ...crypto(a.srtp, ports.audioKey),
      };
    }
    if (l.kind === 'video' && n.video && ports.videoPort !== null) {
      const v = n.video;
      return {
        type: 'video',
        port: ports.videoPort,
        protocol: l.protocol,
        payloads: String(v.payloadType),
        rtp: [{ payload: v.payloadType, codec: 'H264', rate: 90000 }],
        fmtp: [{ payload: v.payloadType, config: `profile-level-id=${v.profileLevelId};packetization-mode=${v.packetizationMode}` }],
        rtcpFb: [
          { payload: String(v.payloadType), type: 'nack' },
          { payload: String(v.payloadType), type: 'nack', subtype: 'pli' },
          { payload: String(v.payloadType), type: 'ccm', subtype: 'fir' },
        ],
        ...(ports.videoRtcpPort ? { rtcp: { port: ports.videoRtcpPort } } : {}),
        direction: 'sendrecv' as const,
        ...crypto(v.srtp, ports.videoKey),
      };
    }
    return { type: l.type, port: 0, protocol: l.protocol, payloads: l.payloads.split(/\s+/)[0] ?? '0', rtp: [], fmtp: [] };
  });
  return write({
    version: 0,
    origin: {
      username: 'lienthong',
      sessionId: ports.sessionId,
      sessionVersion: ports.version,
      netType: 'IN',
      ipVer: 4,
      address: ports.ip,
    },
    name: 'LienThong',
    connection: { version: 4, ip: ports.ip },
    timing: { start: 0, stop: 0 },
    media,
  } as Parameters<typeof write>[0]);
}
