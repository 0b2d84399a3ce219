// A room call's audio port, the one its SDP answer names. The room's sound goes on to the GStreamer
// pipeline that re-encodes it (loopback); its keys (RFC 4733 telephone-events) are read here. What the
// room hears leaves from this same port; a codec whose packets come from another address than its SDP
// says is behind NAT, and is answered where its packets come from (symmetric RTP), not at the private
// address in its SDP.
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventDedup, telephoneEvent } from '../domain/room-systems/dtmf';
import { bindUdp, type PortRange } from './rtp-ports';
import { SrtpLine } from './srtp';

export interface AudioPortOptions {
  listenIp: string;
  /** The ports room systems may send to (the firewall's); any free one without. */
  rtpPorts?: PortRange;
  /** Where the room said it takes sound (SDP), until its packets say otherwise. */
  room: { ip: string; port: number };
  /** Addresses it may send from besides its SDP one (its SIP address, behind NAT). */
  alsoFrom: readonly string[];
  /** The call's audio and telephone-event payload types. */
  payloadType: number;
  telephoneEvent: number | null;
  /** SRTP keys (base64) when the room keyed its audio line; null: plain RTP. */
  srtp: { local: string; remote: string } | null;
  onKey: (key: string) => void;
}

export class AudioPort {
  private room: { ip: string; port: number };
  private learnt = false;
  private closed = false;
  private readonly dedup = new EventDedup();
  private srtp: SrtpLine | null;
  /** Where the re-encoding pipeline listens (loopback). */
  private pipelinePort = 0;
  keysSeen = 0;

  private constructor(
    private readonly outside: Socket,
    private readonly inside: Socket,
    private o: AudioPortOptions,
  ) {
    this.room = { ...o.room };
    this.srtp = o.srtp ? new SrtpLine(o.srtp.local, o.srtp.remote) : null;
    outside.on('message', (m, from) => this.fromRoom(m, from));
    // What the room hears comes in here from its pipeline and leaves from the call's port.
    inside.on('message', (m) => {
      if (this.closed || m.length < 12) return;
      outside.send(this.srtp ? this.srtp.protect(m) : m, this.room.port, this.room.ip);
    });
  }

  static async open(o: AudioPortOptions): Promise<AudioPort> {
    const [outside, inside] = await Promise.all([bindUdp(o.listenIp, o.rtpPorts), bindUdp('127.0.0.1', undefined)]);
    for (const s of [outside, inside]) s.on('error', () => undefined);
    return new AudioPort(outside, inside, o);
  }

  /** The port in the SDP answer. */
  get port(): number {
    return this.outside.address().port;
  }

  /** Where the return pipeline sends what the room hears. */
  get returnPort(): number {
    return this.inside.address().port;
  }

  /** Where the room's sound is sent on: the re-encoding pipeline's port. */
  feed(pipelinePort: number): void {
    this.pipelinePort = pipelinePort;
  }

  /** The address the room is sent to now, and whether its own packets told it. */
  get destination(): { ip: string; port: number; learnt: boolean } {
    return { ...this.room, learnt: this.learnt };
  }

  /** A re-INVITE: another codec or address (learnt again from its packets). */
  renegotiate(o: Pick<AudioPortOptions, 'room' | 'payloadType' | 'telephoneEvent' | 'srtp'>): void {
    if (o.srtp?.remote !== this.o.srtp?.remote || o.srtp?.local !== this.o.srtp?.local)
      this.srtp = o.srtp ? new SrtpLine(o.srtp.local, o.srtp.remote) : null;
    this.o = { ...this.o, ...o };
    this.room = { ...o.room };
    this.learnt = false;
  }

  /** Our SRTP key for the line, when it is keyed. */
  get srtpKey(): string | undefined {
    return this.o.srtp?.local;
  }

  /** SRTP packets that did not authenticate (dropped). */
  get rejected(): number {
    return this.srtp?.rejected ?? 0;
  }

  private fromRoom(packet: Buffer, from: RemoteInfo): void {
    if (this.closed || packet.length < 12 || packet[0]! >> 6 !== 2) return;
    if (from.address !== this.o.room.ip && !this.o.alsoFrom.includes(from.address)) return;
    // RTCP (on this port only by mistake, without rtcp-mux) is not sound.
    if (packet[1]! >= 192 && packet[1]! <= 223) return;
    const m = this.srtp ? this.srtp.unprotect(packet) : packet;
    if (!m) return;
    // From another address than its SDP's, the room is behind NAT: answer where its packets come from.
    // From its SDP address it is reached there, even if it sends from another port (asymmetric RTP).
    if (from.address !== this.o.room.ip && (from.address !== this.room.ip || from.port !== this.room.port)) {
      this.room = { ip: from.address, port: from.port };
      this.learnt = true;
    }
    const pt = m[1]! & 0x7f;
    if (pt === this.o.telephoneEvent) {
      const off = 12 + (m[0]! & 0x0f) * 4 + (m[0]! & 0x10 ? 4 + m.readUInt16BE(14 + (m[0]! & 0x0f) * 4) * 4 : 0);
      const ev = telephoneEvent(m.subarray(off));
      if (ev && this.dedup.first(m.readUInt32BE(4))) {
        this.keysSeen++;
        this.o.onKey(ev.key);
      }
      return;
    }
    if (pt === this.o.payloadType && this.pipelinePort) this.inside.send(m, this.pipelinePort, '127.0.0.1');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.outside.close();
    this.inside.close();
  }
}
