// The recorder's GStreamer pipeline (Debian gst-launch-1.0): fixed video and audio inputs on
// loopback UDP ports, composited (main picture and thumbnails over a live black frame) and mixed
// (over live silence, so the file runs on while nobody sends), encoded to H.264/AAC in fragmented
// MP4: a file cut short by a crash still plays up to its last fragment.

export interface Geometry {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PipelineSpec {
  file: string;
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  /** video[0] is the main picture: a browser's VP8 comes to videoPorts[i], a room system's H.264 to h264Ports[i]. */
  videoPorts: readonly number[];
  h264Ports: readonly number[];
  audioPorts: readonly number[];
  /** RTCP of every input is sent here and dropped. */
  discardPort: number;
  vp8PayloadType: number;
  opusPayloadType: number;
}

/**
 * Main picture three quarters wide at the top left; thumbnails a quarter of the size down the right
 * column, then along the bottom row (seven of them in all).
 */
export function layoutGeometry(width: number, height: number, slots: number): Geometry[] {
  const tw = Math.floor(width / 4);
  const th = Math.floor(height / 4);
  const cells: Geometry[] = [{ x: 0, y: 0, width: tw * 3, height: th * 3 }];
  for (let i = 0; i < 3; i++) cells.push({ x: tw * 3, y: th * i, width: tw, height: th });
  for (let i = 0; i < 4; i++) cells.push({ x: tw * i, y: th * 3, width: tw, height: th });
  return cells.slice(0, slots);
}

export const MAX_VIDEO_SLOTS = 8;

/** gst-launch-1.0 arguments (each element and property its own word; caps carry no spaces). */
export function pipelineArgs(p: PipelineSpec): string[] {
  if (p.videoPorts.length < 1 || p.videoPorts.length > MAX_VIDEO_SLOTS) throw new Error(`1..${MAX_VIDEO_SLOTS} video inputs`);
  if (p.h264Ports.length !== p.videoPorts.length) throw new Error('one H.264 input for each video slot');
  // 8-bit 4:2:0 throughout: left to itself the compositor negotiates a 64-bit RGB format, several times the work.
  const raw = `video/x-raw,format=I420,width=${p.width},height=${p.height},framerate=${p.fps}/1`;
  const vp8 = `application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=${p.vp8PayloadType}`;
  const opus = `application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${p.opusPayloadType}`;
  const pcm = 'audio/x-raw,rate=48000,channels=2';
  // No payload type: the router has several H.264 codecs, and the depayloader does not need it.
  const h264 = 'application/x-rtp,media=video,clock-rate=90000,encoding-name=H264';
  const cells = layoutGeometry(p.width, p.height, p.videoPorts.length);
  const pads = cells.flatMap((g, i) => [
    `sink_${i + 1}::xpos=${g.x}`,
    `sink_${i + 1}::ypos=${g.y}`,
    `sink_${i + 1}::width=${g.width}`,
    `sink_${i + 1}::height=${g.height}`,
    `sink_${i + 1}::sizing-policy=keep-aspect-ratio`,
  ]);
  // Each slot: VP8 or H.264 (one flows at a time), both brought to the slot's size, through one funnel.
  const video = cells.flatMap((g, i) => {
    const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);
    const fit = `videoconvert ! videoscale add-borders=true ! video/x-raw,format=I420,width=${even(g.width)},height=${even(g.height)},pixel-aspect-ratio=1/1`;
    return [
      `funnel name=slot${i + 1} ! queue ! mix.sink_${i + 1}`,
      `udpsrc address=127.0.0.1 port=${p.videoPorts[i]} caps=${vp8} ! rtpvp8depay wait-for-keyframe=true ! vp8dec ! ${fit} ! slot${i + 1}.`,
      `udpsrc address=127.0.0.1 port=${p.h264Ports[i]} caps=${h264} ! rtph264depay ! avdec_h264 ! ${fit} ! slot${i + 1}.`,
    ].flatMap((c) => c.split(' '));
  });
  const audio = p.audioPorts.flatMap((port) =>
    `udpsrc address=127.0.0.1 port=${port} caps=${opus} ! rtpopusdepay ! opusdec ! audioconvert ! audioresample ! queue ! amix.`.split(' '),
  );
  const latency = 300_000_000; // ns: inputs decoded later than this are drawn in the next frame
  return [
    ...`compositor name=mix background=black latency=${latency}`.split(' '),
    ...pads,
    ...`! ${raw} ! videoconvert ! x264enc speed-preset=ultrafast tune=zerolatency bitrate=${p.videoKbps} key-int-max=${p.fps * 2}`.split(
      ' ',
    ),
    ...'! h264parse ! queue ! mux.video_0'.split(' '),
    ...`videotestsrc is-live=true pattern=black ! ${raw} ! mix.sink_0`.split(' '),
    ...video,
    ...`audiomixer name=amix latency=${latency} ! ${pcm} ! audioconvert ! avenc_aac bitrate=96000`.split(' '),
    ...'! aacparse ! queue ! mux.audio_0'.split(' '),
    ...`audiotestsrc is-live=true wave=silence ! ${pcm} ! amix.`.split(' '),
    ...audio,
    ...`udpsrc address=127.0.0.1 port=${p.discardPort} ! fakesink async=false sync=false`.split(' '),
    ...'mp4mux name=mux fragment-duration=2000 ! filesink'.split(' '),
    `location=${p.file}`,
  ];
}
