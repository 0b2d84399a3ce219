// What a room system sees: the main picture as a browser of its site would (a presentation first,
// else the floor holder, chair or speaker, never itself), decoded from VP8 and re-encoded to H.264
// Constrained Baseline by GStreamer, one stream with one SSRC across switches. A black frame fills
// the picture while there is nothing to show, so the room's decoder never starves. The encoder
// sits behind an rtpbin: a PLI/FIR from the room (or one we write for its SIP INFO) makes it send
// a keyframe at once.
import { createSocket } from 'node:dgram';
import type { Logger } from '@lienthong/kit';
import type { PictureSpec } from '../domain/room-systems/picture';
import type { VideoChoice } from '../domain/room-systems/sdp';
import type { MediaTap, TapOutput } from '../media/media-tap';
import { freeUdpPorts } from '../recording/gst-process';
import { KeptPipeline } from './kept-pipeline';
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

export class VideoReturn {
  private closed = false;
  private lastKey = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly control = createSocket('udp4');
  /** Keyframes the room asked for and got (for the call's stats). */
  keyFramesSent = 0;

  private constructor(
    private readonly tap: MediaTap,
    private readonly vp8: TapOutput,
    private readonly h264: TapOutput,
    private readonly spec: VideoReturnSpec,
    private gst: KeptPipeline | null = null,
  ) {
    this.control.on('error', () => undefined);
  }

  static async open(
    tap: MediaTap,
    v: VideoChoice,
    ssrc: number,
    picture: PictureSpec,
    registry: string,
    logger: Logger,
  ): Promise<VideoReturn> {
    const [input, h264Input, discardPort, rtcpIn] = (await freeUdpPorts(4)) as [number, number, number, number];
    const vp8 = await tap.output({ port: input, rtcpPort: discardPort, kind: 'video' });
    const h264 = await tap.output({ port: h264Input, rtcpPort: discardPort, kind: 'video' });
    const spec: VideoReturnSpec = {
      input,
      h264Input,
      discardPort,
      vp8Pt: tap.payloadType('video/VP8') ?? 101,
      to: v.remote,
      rtcpIn,
      rtcpTo: { ip: v.remote.ip, port: v.remoteRtcpPort },
      ssrc,
      ...picture,
    };
    const made = new VideoReturn(tap, vp8, h264, spec);
    // Started again after a crash, it needs a keyframe of what it shows.
    const gst = new KeptPipeline(videoReturnArgs(v, spec), registry, {
      name: 'room video return',
      logger,
      onRestart: () => made.askSource(),
    });
    made.gst = gst;
    // A keyframe sent before the pipeline listens is lost, and a browser sends no other unasked.
    await Promise.race([gst.playing, new Promise((r) => setTimeout(r, 10_000))]);
    return made;
  }

  private get shown(): string | null {
    return this.vp8.producerId ?? this.h264.producerId;
  }

  /** Asks what is shown for a keyframe (the decoder has just started, or switched). */
  private askSource(): void {
    for (const o of [this.vp8, this.h264]) if (o.producerId) void o.requestKeyFrame().catch(() => undefined);
  }

  /**
   * Shows this camera or presentation (null: black); a new one starts at a keyframe. A browser's VP8
   * comes at the simulcast layer of the room's picture size; another room system's H.264 as it is.
   */
  async show(producerId: string | null): Promise<void> {
    if (this.closed || producerId === this.shown) return;
    // The simulcast layer nearest what the room is sent: the top one (720p) above 360p.
    const layer = this.spec.height > 360 ? 2 : 1;
    const asVp8 = await this.vp8.feed(producerId, 'video/VP8', layer).catch(() => false);
    const asH264 = !asVp8 && (await this.h264.feed(producerId, 'video/H264').catch(() => false));
    if (asVp8) await this.h264.feed(null, 'video/H264');
    if (!producerId || (!asVp8 && !asH264)) return;
    this.askSource();
    for (const ms of SWITCH_RETRIES_MS)
      this.later(ms, () => {
        if (this.shown === producerId) this.askSource();
      });
    // The room gets a keyframe of the new picture too (a clean start for its decoder).
    this.later(400, () => this.keyFrame());
  }

  /** The room wants a keyframe (RTCP PLI/FIR, SIP INFO): the encoder sends one now. */
  keyFrame(): void {
    const now = Date.now();
    if (this.closed || now - this.lastKey < KEYFRAME_GAP_MS) return;
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
    this.tap.close();
    await this.gst?.stop(2000);
  }
}
