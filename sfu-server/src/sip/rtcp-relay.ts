// The RTCP of a room call's video passes through here. The room's reports go on to mediasoup (which
// receives its H.264), and its keyframe requests (PLI/FIR) also go to the encoder of the picture we
// send it, which mediasoup never sees. mediasoup's reports and keyframe requests go back to the room,
// and each keyframe request is also announced (the call repeats it as SIP INFO, which some rooms
// prefer). The room's address is learnt from what it sends (symmetric RTCP through NAT).
import type { RemoteInfo, Socket } from 'node:dgram';
import { asksKeyFrame, isRtcp, receiverReport } from './rtcp';
import { bindUdp, type PortRange } from './rtp-ports';

export interface RtcpRelayOptions {
  /** Bound address (where the room sends its RTCP). */
  listenIp: string;
  /** The ports room systems may send to (the firewall's); any free one without. */
  rtpPorts?: PortRange;
  /** The RTCP port of the plain transport that receives the room's video. */
  mediasoup: { ip: string; port: number };
  /** Where the room said it takes RTCP (SDP); replaced by where its RTCP comes from. */
  room: { ip: string; port: number };
  /** Addresses the room may send from besides its SDP one (its SIP address, behind NAT). */
  alsoFrom: readonly string[];
  /** The room asks for a keyframe of what we send it. */
  onRoomAsks: () => void;
  /** mediasoup asks the room for a keyframe (a browser needs one). */
  onRoomAsked: () => void;
}

export class RtcpRelay {
  private room: { ip: string; port: number };
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly o: RtcpRelayOptions,
  ) {
    this.room = { ...o.room };
  }

  static async open(o: RtcpRelayOptions): Promise<RtcpRelay> {
    const socket = await bindUdp(o.listenIp, o.rtpPorts);
    const relay = new RtcpRelay(socket, o);
    socket.on('error', () => undefined);
    socket.on('message', (m, from) => relay.onPacket(m, from));
    // mediasoup (comedia) learns where to send its RTCP from the first it receives: teach it now,
    // so its first keyframe request for a browser does not wait for the room's first report.
    relay.forward(receiverReport(0x4c54), o.mediasoup);
    return relay;
  }

  get port(): number {
    return this.socket.address().port;
  }

  private onPacket(m: Buffer, from: RemoteInfo): void {
    if (!isRtcp(m)) return;
    const fromMediasoup = from.port === this.o.mediasoup.port && from.address === this.o.mediasoup.ip;
    if (fromMediasoup) {
      this.forward(m, this.room);
      if (asksKeyFrame(m)) this.o.onRoomAsked();
      return;
    }
    if (from.address !== this.o.room.ip && !this.o.alsoFrom.includes(from.address)) return;
    this.room = { ip: from.address, port: from.port };
    this.forward(m, this.o.mediasoup);
    if (asksKeyFrame(m)) this.o.onRoomAsks();
  }

  private forward(m: Buffer, to: { ip: string; port: number }): void {
    if (!this.closed) this.socket.send(m, to.port, to.ip);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
