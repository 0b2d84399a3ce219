// SIP from the test's side: a free UDP port, one request from a bare socket, an INVITE text, and
// a scripted room system (FakeRoom) that keeps a dialog and counts what reaches it: H.264 keyframes
// on its video port, RTCP keyframe requests on the port after, SIP INFO picture_fast_update.
import { createSocket, type Socket } from 'node:dgram';

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One SIP request from a bare UDP socket; resolves with the status lines up to the final one. */
export async function sipRequest(sipPort: number, text: (localPort: number) => string): Promise<string[]> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const lines: string[] = [];
  const done = new Promise<void>((resolve) => {
    s.on('message', (m) => {
      const first = m.toString().split('\r\n')[0]!;
      lines.push(first);
      if (!/^SIP\/2\.0 1\d\d/.test(first)) resolve();
    });
    setTimeout(resolve, 5000);
  });
  s.send(text(s.address().port), sipPort, '127.0.0.1');
  await done;
  s.close();
  return lines;
}

const rand = () => Math.random().toString(36).slice(2);

export const invite =
  (number: string, fromUser: string, sdp: string, callId = `${rand()}@test`, host = '127.0.0.1') =>
  (localPort: number) => {
    const body = sdp.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n');
    return [
      `INVITE sip:${number}@127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/UDP ${host}:${localPort};branch=z9hG4bK${rand()};rport`,
      'Max-Forwards: 70',
      `From: <sip:${fromUser}@${host}>;tag=${rand()}`,
      `To: <sip:${number}@127.0.0.1>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${fromUser}@${host}:${localPort}>`,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  };

const bind = async (port = 0, ip = '127.0.0.1'): Promise<Socket> => {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, ip, () => resolve());
  });
  return s;
};

/**
 * Where a FakeRoom lives: `ip` its sockets (SIP and media) are bound to, `sdpIp` the address its SDP,
 * Via and Contact carry. Different, it is a codec behind NAT: a private address in its messages, its
 * packets from the NAT's.
 */
export interface RoomPlace {
  ip: string;
  sdpIp: string;
}

/** The H.264 NAL unit types an RTP packet (RFC 6184) starts or carries. */
export function nalTypes(p: Buffer): number[] {
  let off = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) off += 4 + p.readUInt16BE(off + 2) * 4;
  const type = p[off]! & 0x1f;
  if (type === 28) return p[off + 1]! & 0x80 ? [p[off + 1]! & 0x1f] : [];
  if (type !== 24) return [type];
  const found: number[] = [];
  for (let i = off + 1; i + 2 < p.length; ) {
    const size = p.readUInt16BE(i);
    found.push(p[i + 2]! & 0x1f);
    i += 2 + size;
  }
  return found;
}

/** The H.264 of one RTP packet as Annex B (start codes), for a decoder: single NALs, STAP-A, FU-A. */
export function annexB(p: Buffer): Buffer[] {
  let off = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) off += 4 + p.readUInt16BE(off + 2) * 4;
  const start = Buffer.from([0, 0, 0, 1]);
  const type = p[off]! & 0x1f;
  if (type >= 1 && type <= 23) return [start, p.subarray(off)];
  if (type === 24) {
    const out: Buffer[] = [];
    for (let i = off + 1; i + 2 < p.length; i += 2 + p.readUInt16BE(i)) out.push(start, p.subarray(i + 2, i + 2 + p.readUInt16BE(i)));
    return out;
  }
  if (type !== 28) return [];
  const fu = p[off + 1]!;
  const body = p.subarray(off + 2);
  return fu & 0x80 ? [start, Buffer.from([(p[off]! & 0xe0) | (fu & 0x1f)]), body] : [body];
}

/** A room system in the test: PCMU and H.264 (payload 97, mode 1) with SSRC `ssrc`. */
export class FakeRoom {
  readonly keyFrames: number[] = [];
  readonly plisReceived: number[] = [];
  readonly infosReceived: { at: number; body: string }[] = [];
  videoPackets = 0;
  audioPackets = 0;
  /** Re-INVITEs the server sent it (its media moved). */
  reInvitesReceived = 0;
  /** What it receives as H.264 Annex B while capturing (null: not capturing). */
  capture: Buffer[] | null = null;
  answer = '';
  /** The SSRC of the stream it receives (its PLI names it). */
  private lastSsrc = 0;
  private lastVideoSeq = -1;
  /** Video packets whose sequence number did not follow the one before (loss, or a stream started anew). */
  videoSeqBreaks = 0;
  private keyFrameTs = -1;
  private toTag = '';
  private seq = 1;
  private contact = '';

  private constructor(
    private readonly sip: Socket,
    readonly video: Socket,
    readonly videoRtcp: Socket,
    private readonly audio: Socket,
    private readonly sipPort: number,
    private readonly callId: string,
    private readonly user: string,
    private readonly number: string,
    private readonly place: RoomPlace,
  ) {}

  static async call(
    sipPort: number,
    number: string,
    user: string,
    ssrc: number,
    place: RoomPlace = { ip: '127.0.0.1', sdpIp: '127.0.0.1' },
  ): Promise<FakeRoom> {
    let video = await bind(0, place.ip);
    let videoRtcp: Socket | null = null;
    // RTCP on the port after RTP, as the SDP implies.
    for (let i = 0; i < 20 && !videoRtcp; i++) {
      videoRtcp = await bind(video.address().port + 1, place.ip).catch(() => null);
      if (!videoRtcp) {
        video.close();
        video = await bind(0, place.ip);
      }
    }
    const [sip, audio] = [await bind(0, place.ip), await bind(0, place.ip)];
    const room = new FakeRoom(sip, video, videoRtcp!, audio, sipPort, `${rand()}@fake-room`, user, number, place);
    room.listen();
    const sdp = room.offer('PCMU', ssrc);
    const ok = await room.send(invite(number, user, sdp, room.callId, place.sdpIp)(room.sip.address().port), /^SIP\/2\.0 200/);
    room.toTag = /^To:.*;tag=([^;\s]+)/im.exec(ok)![1]!;
    room.contact = /^Contact:\s*<([^>]+)>/im.exec(ok)![1]!;
    room.answer = ok.slice(ok.indexOf('\r\n\r\n') + 4);
    room.sip.send(room.inDialog('ACK', 1), sipPort, '127.0.0.1');
    return room;
  }

  private ssrc = 0;
  private version = 1;
  /** Payload type of the last sound it received. */
  audioPt = -1;

  /** Its SDP: sound in `codec`, H.264 with SSRC `ssrc`. */
  private offer(codec: 'PCMU' | 'G722', ssrc: number): string {
    this.ssrc = ssrc;
    const pt = codec === 'PCMU' ? 0 : 9;
    return [
      'v=0',
      `o=- 1 ${this.version++} IN IP4 ${this.place.sdpIp}`,
      's=-',
      `c=IN IP4 ${this.place.sdpIp}`,
      't=0 0',
      `m=audio ${this.audio.address().port} RTP/AVP ${pt} 101`,
      `a=rtpmap:${pt} ${codec}/8000`,
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      `m=video ${this.video.address().port} RTP/AVP 97`,
      'a=rtpmap:97 H264/90000',
      'a=fmtp:97 packetization-mode=1;profile-level-id=42e01f',
      'a=rtcp-fb:97 nack pli',
      'a=rtcp-fb:97 ccm fir',
      `a=ssrc:${ssrc} cname:fake-room`,
      '',
    ].join('\r\n');
  }

  /** A re-INVITE with another audio codec; resolves with the final status line, keeps the new answer. */
  async reInvite(codec: 'PCMU' | 'G722'): Promise<string> {
    const body = this.offer(codec, this.ssrc);
    const seq = ++this.seq;
    const ok = await this.send(this.inDialog('INVITE', seq, ['Content-Type: application/sdp'], body), /^SIP\/2\.0 [2-6]\d\d/);
    if (ok.startsWith('SIP/2.0 200')) {
      this.answer = ok.slice(ok.indexOf('\r\n\r\n') + 4);
      this.sip.send(this.inDialog('ACK', seq), this.sipPort, '127.0.0.1');
    }
    return ok.split('\r\n')[0]!;
  }

  /** The server's port for this media line (m=) and the RTCP port it takes for video (a=rtcp). */
  get serverVideo(): { rtp: number; rtcp: number } {
    const rtp = Number(/^m=video (\d+)/m.exec(this.answer)![1]);
    const rtcp = /^a=rtcp:(\d+)/m.exec(this.answer.slice(this.answer.indexOf('m=video')));
    return { rtp, rtcp: rtcp ? Number(rtcp[1]) : rtp + 1 };
  }

  private listen(): void {
    this.video.on('message', (p) => {
      this.videoPackets++;
      this.capture?.push(...annexB(p));
      this.lastSsrc = p.readUInt32BE(8);
      const seq = p.readUInt16BE(2);
      if (this.lastVideoSeq >= 0 && seq !== ((this.lastVideoSeq + 1) & 0xffff)) this.videoSeqBreaks++;
      this.lastVideoSeq = seq;
      // One keyframe may come in several slices (NAL units): count it once, by its RTP timestamp.
      const ts = p.readUInt32BE(4);
      if (nalTypes(p).includes(5) && ts !== this.keyFrameTs) {
        this.keyFrameTs = ts;
        this.keyFrames.push(Date.now());
      }
    });
    this.videoRtcp.on('message', (p) => {
      for (let off = 0; off + 4 <= p.length; off += (p.readUInt16BE(off + 2) + 1) * 4)
        if (p[off + 1] === 206 && (p[off]! & 0x1f) === 1) this.plisReceived.push(Date.now());
    });
    this.audio.on('message', (p) => {
      this.audioPackets++;
      this.audioPt = p[1]! & 0x7f;
    });
    this.sip.on('message', (m) => {
      const text = m.toString();
      const method = /^([A-Z]+) sip:/.exec(text)?.[1];
      if (!method) return;
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      if (method === 'INFO') this.infosReceived.push({ at: Date.now(), body });
      if (method === 'ACK') return;
      const keep = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      // The server's re-INVITE moves where it takes our media: that is the answer from now on; ours is the same SDP.
      const sdp = method === 'INVITE' ? this.offer(this.audioPt === 9 ? 'G722' : 'PCMU', this.ssrc) : '';
      if (method === 'INVITE') {
        this.reInvitesReceived++;
        this.answer = body;
      }
      const head = sdp
        ? ['Content-Type: application/sdp', `Contact: <sip:${this.user}@${this.place.sdpIp}:${this.sip.address().port}>`]
        : [];
      this.sip.send(
        ['SIP/2.0 200 OK', ...keep, ...head, `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp].join('\r\n'),
        this.sipPort,
        '127.0.0.1',
      );
    });
  }

  /** Sends a request and resolves with the first response matching `final`. */
  private send(text: string, final: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${final} to ${text.split('\r\n')[0]}`)), 10_000);
      const on = (m: Buffer) => {
        const t = m.toString();
        if (!final.test(t)) return;
        clearTimeout(timer);
        this.sip.off('message', on);
        resolve(t);
      };
      this.sip.on('message', on);
      this.sip.send(text, this.sipPort, '127.0.0.1');
    });
  }

  private inDialog(method: string, seq: number, headers: string[] = [], body = ''): string {
    const me = this.sip.address().port;
    return [
      `${method} ${this.contact} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.place.sdpIp}:${me};branch=z9hG4bK${rand()};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${this.place.sdpIp}>;tag=fake`,
      `To: <sip:${this.number}@127.0.0.1>;tag=${this.toTag}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${seq} ${method}`,
      ...headers,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  /** The SSRC of the picture it is sent (one across every switch of the main picture). */
  get receivedSsrc(): number {
    return this.lastSsrc;
  }

  /** RTCP PLI for the picture it is sent, from its RTCP port to the server's. */
  sendPli(): void {
    const ssrc = this.lastSsrc;
    const b = Buffer.alloc(20);
    b.writeUInt8(0x80, 0);
    b.writeUInt8(201, 1);
    b.writeUInt16BE(1, 2);
    b.writeUInt32BE(4321, 4);
    b.writeUInt8(0x81, 8);
    b.writeUInt8(206, 9);
    b.writeUInt16BE(2, 10);
    b.writeUInt32BE(4321, 12);
    b.writeUInt32BE(ssrc, 16);
    this.videoRtcp.send(b, this.serverVideo.rtcp, this.serverIp);
  }

  async sendInfoFastUpdate(): Promise<string> {
    const body =
      '<?xml version="1.0" encoding="utf-8" ?>\r\n<media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></vc_primitive></media_control>\r\n';
    return this.send(this.inDialog('INFO', ++this.seq, ['Content-Type: application/media_control+xml'], body), /^SIP\/2\.0 \d{3}/);
  }

  async bye(): Promise<string> {
    return this.send(this.inDialog('BYE', ++this.seq), /^SIP\/2\.0 \d{3}/);
  }

  /** Some H.264 RTP of its camera from its video port (an SPS, as a stream starts), `count` packets. */
  async sendVideo(count: number): Promise<void> {
    for (let seq = 1; seq <= count; seq++) {
      const b = Buffer.from([0x80, 97, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x67, 0x42, 0xe0, 0x1f, 0xda, 0x01]);
      b.writeUInt16BE(seq, 2);
      b.writeUInt32BE(seq * 3000, 4);
      b.writeUInt32BE(this.ssrc, 8);
      this.video.send(b, this.serverVideo.rtp, this.serverIp);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Where its answer says to send media (c=): its site's media server, which need not be the one it called. */
  get serverIp(): string {
    return /^c=IN IP4 (\S+)/m.exec(this.answer)![1]!;
  }

  /** The server's audio port (m=audio of its answer). */
  get serverAudio(): number {
    return Number(/^m=audio (\d+)/m.exec(this.answer)![1]);
  }

  /**
   * Keys on its remote as RFC 4733 events in its audio stream (payload 101), each in three packets and
   * three end packets with one timestamp, as codecs send them; from `from` (default its audio socket).
   */
  async pressKeys(keys: string, from: Socket = this.audio): Promise<void> {
    const KEYS = '0123456789*#';
    for (const [i, key] of [...keys].entries()) {
      const ts = 160_000 + i * 8000 + Math.floor(Math.random() * 1000);
      for (let n = 0; n < 6; n++) {
        const b = Buffer.alloc(16);
        b[0] = 0x80;
        b[1] = (n === 0 ? 0x80 : 0) | 101;
        this.dtmfSeq = (this.dtmfSeq + 1) & 0xffff;
        b.writeUInt16BE(this.dtmfSeq, 2);
        b.writeUInt32BE(ts, 4);
        b.writeUInt32BE(this.ssrc + 1, 8);
        b[12] = KEYS.indexOf(key);
        b[13] = (n >= 3 ? 0x80 : 0) | 10;
        b.writeUInt16BE(160 * (n + 1), 14);
        from.send(b, this.serverAudio, this.serverIp);
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  private dtmfSeq = 0;

  /** A key by SIP INFO (application/dtmf-relay); resolves with the status line. */
  async infoKey(key: string): Promise<string> {
    const body = `Signal=${key}\r\nDuration=160\r\n`;
    const res = await this.send(this.inDialog('INFO', ++this.seq, ['Content-Type: application/dtmf-relay'], body), /^SIP\/2\.0 \d{3}/);
    return res.split('\r\n')[0]!;
  }

  /**
   * PCMU for `ms`, from its own audio port or (`elsewhere`) from a new port on its address, as some codecs
   * do; resolves with how many packets came back to that new port and to its SDP port meanwhile.
   */
  async sendSound(ms: number, elsewhere = false): Promise<{ back: number; toSdpPort: number }> {
    const socket = elsewhere ? await bind(0, this.place.ip) : this.audio;
    let back = 0;
    if (elsewhere) socket.on('message', () => back++);
    const before = this.audioPackets;
    const b = Buffer.alloc(12 + 160, 0xff);
    b[0] = 0x80;
    b[1] = 0;
    b.writeUInt32BE(this.ssrc + 2, 8);
    const until = Date.now() + ms;
    for (let seq = 1; Date.now() < until; seq++) {
      b.writeUInt16BE(seq, 2);
      b.writeUInt32BE(seq * 160, 4);
      socket.send(b, this.serverAudio, this.serverIp);
      await new Promise((r) => setTimeout(r, 20));
    }
    if (elsewhere) socket.close();
    return { back, toSdpPort: this.audioPackets - before };
  }

  get ports(): { audio: number; video: number } {
    return { audio: this.audio.address().port, video: this.video.address().port };
  }

  close(): void {
    for (const s of [this.sip, this.video, this.videoRtcp, this.audio]) s.close();
  }
}
