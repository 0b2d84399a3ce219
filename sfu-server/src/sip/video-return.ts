// What a room system sees: the main picture as a browser of its site would (a presentation first,
// else the floor holder, chair or speaker, never itself), decoded from VP8 and re-encoded to H.264
// Constrained Baseline by GStreamer, one stream with one SSRC across switches. A black frame fills
// the picture while there is nothing to show, so the room's decoder never starves. The encoder
// sits behind an rtpbin: a PLI/FIR from the room (or one we write for its SIP INFO) makes it send
// a keyframe at once. When the main picture is another room's H.264 that this room can decode, it
// is passed through as it is (PictureSwitch splices it into the same stream) and the decoders are
// left idle: the encoder then only encodes black, which costs next to nothing.
import { createSocket } from 'node:dgram';
import type { Logger } from '@lienthong/kit';
import { canPassThrough, type PictureSpec } from '../domain/room-systems/picture';
import type { VideoChoice } from '../domain/room-systems/sdp';
import type { MediaTap, TapOutput } from '../media/media-tap';
import { freeUdpPorts } from '../recording/gst-process';
import { KeptPipeline } from './kept-pipeline';
import { PictureSwitch } from './picture-switch';
import { receiverReport } from './rtcp';

export interface VideoReturnSpec {
  /** Where a browser's VP8 comes in, and another room system's H.264. */
  input: number;
  h264Input: number;
  discardPort: number;
  vp8Pt: number;
  to: { ip: string; port: number };
  /** Keyframe requests for the encoder come in here (loopback); its sender reports go to `rtcpTo`. */
  rtcpIn: number;
  rtcpTo: { ip: string; port: number };
  ssrc: number;
  width: number;
  height: number;
  fps: number;
  kbps: number;
}

/**
 * gst-launch arguments: VP8 RTP on `input` or H.264 RTP on `h264Input` (one of them flows at a time,
 * both scaled into one funnel) over black; H.264 RTP (the call's payload type) to `to`.
 */
export function videoReturnArgs(v: VideoChoice, p: VideoReturnSpec): string[] {
  const raw = `video/x-raw,format=I420,width=${p.width},height=${p.height},framerate=${p.fps}/1`;
  const vp8 = `application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=${p.vp8Pt}`;
  // No payload type: the router has several H.264 codecs, and the depayloader does not need it.
  const h264 = 'application/x-rtp,media=video,clock-rate=90000,encoding-name=H264';
  const fit = `videoconvert ! videoscale add-borders=true ! video/x-raw,format=I420,width=${p.width},height=${p.height} ! pic.`;
  const chains = [
    [
      'compositor name=mix background=black latency=100000000 sink_1::xpos=0 sink_1::ypos=0',
      `sink_1::width=${p.width} sink_1::height=${p.height} sink_1::sizing-policy=keep-aspect-ratio`,
    ].join(' '),
    `! ${raw} ! videoconvert`,
    `! x264enc speed-preset=ultrafast tune=zerolatency bitrate=${p.kbps} key-int-max=${p.fps * 2} byte-stream=true`,
    '! video/x-h264,profile=constrained-baseline,stream-format=byte-stream',
    `! rtph264pay pt=${v.payloadType} ssrc=${p.ssrc} config-interval=-1 aggregate-mode=zero-latency`,
    '! rb.send_rtp_sink_0 rtpbin name=rb',
    `rb.send_rtp_src_0 ! udpsink host=${p.to.ip} port=${p.to.port} sync=false async=false`,
    `udpsrc address=127.0.0.1 port=${p.rtcpIn} ! rb.recv_rtcp_sink_0`,
    `rb.send_rtcp_src_0 ! udpsink host=${p.rtcpTo.ip} port=${p.rtcpTo.port} sync=false async=false`,
    `videotestsrc is-live=true pattern=black ! ${raw} ! mix.sink_0`,
    'funnel name=pic ! queue ! mix.sink_1',
    `udpsrc address=127.0.0.1 port=${p.input} caps=${vp8} ! rtpvp8depay wait-for-keyframe=true ! vp8dec ! ${fit}`,
    `udpsrc address=127.0.0.1 port=${p.h264Input} caps=${h264} ! rtph264depay ! avdec_h264 ! ${fit}`,
    `udpsrc address=127.0.0.1 port=${p.discardPort} ! fakesink async=false sync=false`,
  ];
  return chains.flatMap((c) => c.split(' '));
}

/** Keyframe requests to the encoder closer than this are one (a room may ask on every lost packet). */
const KEYFRAME_GAP_MS = 500;
/** After a switch, the new picture's keyframe is asked for again in case the first one was lost. */
const SWITCH_RETRIES_MS = [1000, 3000];

/** Before the room goes back from a passed-through picture to the encoder: time for the decoder to show the new one. */
const HANDOVER_MS = 300;

export class VideoReturn {
  private closed = false;
  private lastKey = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly control = createSocket('udp4');
  /** The encoder's pipeline; null while another room's picture is passed through (nothing to encode). */
  private gst: KeptPipeline | null = null;
  private stopping: Promise<void> | null = null;
  /** The picture asked for, and which output carries it. */
  private target: string | null = null;
  private via: 'pass' | 'vp8' | 'h264' | null = null;
  /** Each show() has its number; a slow one overtaken by the next does nothing more. */
  private turn = 0;
  /** Keyframes the room asked for and got (for the call's stats). */
  keyFramesSent = 0;

  private constructor(
    private readonly tap: MediaTap,
    private readonly vp8: TapOutput,
    private readonly h264: TapOutput,
    /** Another room's H.264, to the switch as it is. */
    private readonly pass: TapOutput | null,
    private readonly out: PictureSwitch,
    private readonly room: VideoChoice,
    private readonly spec: VideoReturnSpec,
    private readonly launch: (onRestart: () => void) => KeptPipeline,
  ) {
    this.control.on('error', () => undefined);
  }

  static async open(
    tap: MediaTap,
    v: VideoChoice,
    ssrc: number,
    picture: PictureSpec,
    opts: { registry: string; logger: Logger; passThrough: boolean; srtp: { local: string; remote: string } | null },
  ): Promise<VideoReturn> {
    const [input, h264Input, discardPort, rtcpIn] = (await freeUdpPorts(4)) as [number, number, number, number];
    const vp8 = await tap.output({ port: input, rtcpPort: discardPort, kind: 'video' });
    const h264 = await tap.output({ port: h264Input, rtcpPort: discardPort, kind: 'video' });
    let made: VideoReturn | undefined;
    const out = await PictureSwitch.open({
      to: v.remote,
      rtcpTo: { ip: v.remote.ip, port: v.remoteRtcpPort },
      ssrc,
      payloadType: v.payloadType,
      onSwitched: (source) => made?.switched(source),
      srtp: opts.srtp,
    });
    const pass = opts.passThrough ? await tap.output({ port: out.ports.pass, rtcpPort: discardPort, kind: 'video' }) : null;
    const spec: VideoReturnSpec = {
      input,
      h264Input,
      discardPort,
      vp8Pt: tap.payloadType('video/VP8') ?? 101,
      to: { ip: '127.0.0.1', port: out.ports.encoded },
      rtcpIn,
      rtcpTo: { ip: '127.0.0.1', port: out.ports.reports },
      ssrc,
      ...picture,
    };
    const args = videoReturnArgs(v, spec);
    // Started again after a crash, it needs a keyframe of what it shows.
    const launch = (onRestart: () => void) =>
      new KeptPipeline(args, opts.registry, { name: 'room video return', logger: opts.logger, onRestart });
    made = new VideoReturn(tap, vp8, h264, pass, out, v, spec, launch);
    await made.encoder();
    return made;
  }

  /** The encoder, started if it was left idle; resolves when it plays (a keyframe sent before is lost). */
  private async encoder(): Promise<void> {
    await this.stopping;
    if (!this.gst && !this.closed) this.gst = this.launch(() => this.askSource());
    if (this.gst) await Promise.race([this.gst.playing, new Promise((r) => setTimeout(r, 10_000))]);
  }

  private get shown(): string | null {
    return this.via ? (this.output(this.via)?.producerId ?? null) : null;
  }

  private output(via: 'pass' | 'vp8' | 'h264'): TapOutput | null {
    return via === 'pass' ? this.pass : via === 'vp8' ? this.vp8 : this.h264;
  }

  /** The room's video comes from elsewhere than its SDP said (NAT): what it sees goes there. */
  retarget(to: { ip: string; port: number }): void {
    this.out.retarget(to);
  }

  get destination(): { ip: string; port: number } {
    return this.out.destination;
  }

  /** The room is sent another room's H.264 as it is (not re-encoded). */
  get passingThrough(): boolean {
    return this.out.current === 'pass';
  }

  /** Bytes of picture sent to the room, and how often its source switched between encoded and passed. */
  get sent(): { bytes: number; packets: number; switches: number } {
    return { bytes: this.out.bytesSent, packets: this.out.packetsSent, switches: this.out.switches };
  }

  /** Asks what is shown for a keyframe (the decoder has just started, or switched, or the room passes it through). */
  private askSource(): void {
    for (const o of [this.vp8, this.h264, this.pass]) if (o?.producerId) void o.requestKeyFrame().catch(() => undefined);
  }

  /**
   * The switch took the new source. A passed-through picture leaves nothing to decode or encode: the
   * decoders let go and the encoder stops. Back on the encoder, the passed stream lets go.
   */
  private switched(source: 'encoded' | 'pass'): void {
    if (this.closed) return;
    if (source === 'encoded') {
      void this.pass?.feed(null, 'video/H264').catch(() => undefined);
      return;
    }
    void this.vp8.feed(null, 'video/VP8').catch(() => undefined);
    void this.h264.feed(null, 'video/H264').catch(() => undefined);
    const gst = this.gst;
    this.gst = null;
    if (gst) this.stopping = gst.stop(2000).finally(() => (this.stopping = null));
  }

  /** Another room's H.264 this room can take as it is: sent through, from its next keyframe. */
  private async tryPass(producerId: string): Promise<boolean> {
    if (!this.pass) return false;
    const room = { profileLevelId: this.room.profileLevelId, packetizationMode: this.room.packetizationMode };
    const fits = (c: { parameters?: Record<string, unknown> }) =>
      canPassThrough(
        {
          profileLevelId: String(c.parameters?.['profile-level-id'] ?? '42001f'),
          packetizationMode: Number(c.parameters?.['packetization-mode'] ?? 0) === 1 ? 1 : 0,
        },
        room,
      );
    const ok = await this.pass.feed(producerId, 'video/H264', 2, fits).catch(() => false);
    if (ok) this.out.want('pass');
    return ok;
  }

  /** Asks the new picture for keyframes now and a little later, in case the first is lost. */
  private askSoon(producerId: string): void {
    this.askSource();
    for (const ms of SWITCH_RETRIES_MS)
      this.later(ms, () => {
        if (this.shown === producerId) this.askSource();
      });
  }

  /**
   * Shows this camera or presentation (null: black); a new one starts at a keyframe. Another room's
   * H.264 that this room decodes goes as it is; a browser's VP8 is decoded at the simulcast layer of the
   * room's picture size, and any other H.264 decoded as it is, and re-encoded.
   */
  async show(producerId: string | null): Promise<void> {
    if (this.closed || (producerId === this.target && (producerId === null || this.shown === producerId))) return;
    const turn = ++this.turn;
    this.target = producerId;
    if (producerId && (await this.tryPass(producerId))) {
      this.via = 'pass';
      this.askSoon(producerId);
      return;
    }
    this.via = null;
    const fromPass = this.out.current === 'pass' || this.out.pending === 'pass';
    await this.encoder();
    if (turn !== this.turn || this.closed) return;
    // The simulcast layer nearest what the room is sent: the top one (720p) above 360p.
    const layer = this.spec.height > 360 ? 2 : 1;
    const asVp8 = await this.vp8.feed(producerId, 'video/VP8', layer).catch(() => false);
    const asH264 = !asVp8 && (await this.h264.feed(producerId, 'video/H264').catch(() => false));
    if (asVp8) await this.h264.feed(null, 'video/H264');
    this.via = asVp8 ? 'vp8' : asH264 ? 'h264' : null;
    if (fromPass) {
      // The passed picture goes on until the encoder's keyframe, asked for once the decoder has the new one.
      this.later(HANDOVER_MS, () => {
        if (turn !== this.turn) return;
        this.out.want('encoded');
        this.keyFrame(true);
      });
    }
    if (!producerId || !this.via) {
      if (!fromPass) this.out.want('encoded');
      return;
    }
    this.askSoon(producerId);
    // The room gets a keyframe of the new picture too (a clean start for its decoder).
    this.later(400, () => this.keyFrame());
  }

  /**
   * The room wants a keyframe (RTCP PLI/FIR, SIP INFO): the encoder sends one now, or the room whose
   * picture is passed through is asked.
   */
  keyFrame(force = false): void {
    const now = Date.now();
    if (this.closed || (!force && now - this.lastKey < KEYFRAME_GAP_MS)) return;
    if (this.out.current === 'pass' && !this.out.pending) {
      this.lastKey = now;
      this.keyFramesSent++;
      void this.pass?.requestKeyFrame().catch(() => undefined);
      return;
    }
    this.lastKey = now;
    this.keyFramesSent++;
    this.control.send(receiverReport(0x4c54, this.spec.ssrc), this.spec.rtcpIn, '127.0.0.1');
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.control.close();
    this.out.close();
    this.tap.close();
    await this.gst?.stop(2000);
    await this.stopping;
  }
}
