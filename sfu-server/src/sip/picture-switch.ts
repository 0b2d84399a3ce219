// Where the picture a room system sees leaves the server: the encoder's RTP and sender reports, and
// another room's H.264 passed through, come in on loopback ports; one stream goes to the room
// (RtpSplice decides what and rewrites it). Counting here gives the true rate sent to the room.
import { createSocket, type Socket } from 'node:dgram';
import { type PictureSource, RtpSplice } from './rtp-splice';
import { SrtpLine } from './srtp';

export interface PictureSwitchOptions {
  to: { ip: string; port: number };
  rtcpTo: { ip: string; port: number };
  ssrc: number;
  payloadType: number;
  /** The room is now sent this source (its keyframe came). */
  onSwitched?: (source: PictureSource) => void;
  /** SRTP keys (base64) of the line: ours protects what the room is sent. */
  srtp?: { local: string; remote: string } | null;
}

const bind = async (): Promise<Socket> => {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  s.on('error', () => undefined);
  return s;
};

export class PictureSwitch {
  private readonly splice: RtpSplice;
  private readonly srtp: SrtpLine | null;
  private closed = false;
  bytesSent = 0;
  packetsSent = 0;

  private constructor(
    private readonly encoded: Socket,
    private readonly pass: Socket,
    private readonly reports: Socket,
    private readonly o: PictureSwitchOptions,
  ) {
    this.splice = new RtpSplice({ ssrc: o.ssrc, payloadType: o.payloadType });
    this.srtp = o.srtp ? new SrtpLine(o.srtp.local, o.srtp.remote) : null;
    encoded.on('message', (m) => this.rtp('encoded', m));
    pass.on('message', (m) => this.rtp('pass', m));
    reports.on('message', (m) => {
      const out = this.splice.senderReport(m);
      // Over SRTP the encoder's plain reports would only be dropped by the room.
      if (out && !this.closed && !this.srtp) reports.send(out, o.rtcpTo.port, o.rtcpTo.ip);
    });
  }

  static async open(o: PictureSwitchOptions): Promise<PictureSwitch> {
    const [a, b, c] = await Promise.all([bind(), bind(), bind()]);
    return new PictureSwitch(a, b, c, o);
  }

  /** Loopback ports: the encoder's RTP, the passed-through RTP, the encoder's RTCP. */
  get ports(): { encoded: number; pass: number; reports: number } {
    return { encoded: this.encoded.address().port, pass: this.pass.address().port, reports: this.reports.address().port };
  }

  get current(): PictureSource {
    return this.splice.current;
  }

  get pending(): PictureSource | null {
    return this.splice.pending;
  }

  get switches(): number {
    return this.splice.switches;
  }

  want(source: PictureSource): void {
    this.splice.want(source);
  }

  /** The room's video comes from elsewhere than its SDP said (NAT): what it sees goes there. */
  retarget(to: { ip: string; port: number }): void {
    this.o.to = { ...to };
  }

  get destination(): { ip: string; port: number } {
    return { ...this.o.to };
  }

  private rtp(source: PictureSource, m: Buffer): void {
    if (this.closed) return;
    const before = this.splice.current;
    const out = this.splice.packet(source, m, Date.now());
    if (!out) return;
    this.bytesSent += out.length;
    this.packetsSent++;
    // From the encoder's socket: the room sees one sender whichever source it is.
    this.encoded.send(this.srtp ? this.srtp.protect(out) : out, this.o.to.port, this.o.to.ip);
    if (this.splice.current !== before) this.o.onSwitched?.(this.splice.current);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.encoded, this.pass, this.reports]) s.close();
  }
}
