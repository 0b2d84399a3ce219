// What a room system sees: the main picture as a browser of its site would (a presentation first,
// else the floor holder, chair or speaker, never itself), decoded from VP8 and re-encoded to H.264
// Constrained Baseline by GStreamer, one stream with one SSRC across switches. A black frame fills
// the picture while there is nothing to show, so the room's decoder never starves.
import type { VideoChoice } from '../domain/room-systems/sdp';
import type { MediaTap, TapOutput } from '../media/media-tap';
import { freeUdpPorts, type GstRun, startGst } from '../recording/gst-process';

export interface VideoReturnSpec {
  input: number;
  discardPort: number;
  vp8Pt: number;
  to: { ip: string; port: number };
  ssrc: number;
  width: number;
  height: number;
  fps: number;
  kbps: number;
}

/** gst-launch arguments: VP8 RTP on `input` over black, H.264 RTP (the call's payload type) to `to`. */
export function videoReturnArgs(v: VideoChoice, p: VideoReturnSpec): string[] {
  const raw = `video/x-raw,format=I420,width=${p.width},height=${p.height},framerate=${p.fps}/1`;
  const vp8 = `application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=${p.vp8Pt}`;
  const chains = [
    [
      'compositor name=mix background=black latency=100000000 sink_1::xpos=0 sink_1::ypos=0',
      `sink_1::width=${p.width} sink_1::height=${p.height} sink_1::sizing-policy=keep-aspect-ratio`,
    ].join(' '),
    `! ${raw} ! videoconvert`,
    `! x264enc speed-preset=ultrafast tune=zerolatency bitrate=${p.kbps} key-int-max=${p.fps * 2} byte-stream=true`,
    '! video/x-h264,profile=constrained-baseline,stream-format=byte-stream',
    `! rtph264pay pt=${v.payloadType} ssrc=${p.ssrc} config-interval=-1 aggregate-mode=zero-latency`,
    `! udpsink host=${p.to.ip} port=${p.to.port} sync=false async=false`,
    `videotestsrc is-live=true pattern=black ! ${raw} ! mix.sink_0`,
    `udpsrc port=${p.input} caps=${vp8} ! rtpvp8depay wait-for-keyframe=true ! vp8dec ! videoconvert ! queue ! mix.sink_1`,
    `udpsrc port=${p.discardPort} ! fakesink async=false sync=false`,
  ];
  return chains.flatMap((c) => c.split(' '));
}

export class VideoReturn {
  static readonly pipelines = new Set<GstRun>();
  private closed = false;

  private constructor(
    private readonly tap: MediaTap,
    private readonly output: TapOutput,
    private readonly gst: GstRun,
  ) {}

  static async open(tap: MediaTap, v: VideoChoice, ssrc: number, registry: string): Promise<VideoReturn> {
    const [input, discardPort] = (await freeUdpPorts(2)) as [number, number];
    const output = await tap.output({ port: input, rtcpPort: discardPort, kind: 'video' });
    const spec: VideoReturnSpec = {
      input,
      discardPort,
      vp8Pt: tap.payloadType('video/VP8') ?? 101,
      to: v.remote,
      ssrc,
      // 640x360 fits every level a Baseline codec offers from 3.0 up; 25 fps as most room systems.
      width: 640,
      height: 360,
      fps: 25,
      kbps: 800,
    };
    const gst = startGst(videoReturnArgs(v, spec), registry, () => VideoReturn.pipelines.delete(gst));
    VideoReturn.pipelines.add(gst);
    return new VideoReturn(tap, output, gst);
  }

  /** Shows this camera or presentation (null: black); a new one starts at a keyframe. */
  async show(producerId: string | null): Promise<void> {
    if (this.closed || producerId === this.output.producerId) return;
    // The middle layer of a browser's simulcast is 640x360: what the room is sent.
    if (await this.output.feed(producerId, 'video/VP8', 1).catch(() => false)) await this.output.requestKeyFrame().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tap.close();
    await this.gst.stop(2000);
  }
}
