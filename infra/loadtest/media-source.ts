// Synthetic camera and microphone shared by every simulated site: one moving pattern and one
// tone, generated once per tick and handed to each site's wrtc source (N sites, one generator).
import wrtc from '@roamhq/wrtc';

const { RTCAudioSource, RTCVideoSource } = wrtc.nonstandard;
type VideoSource = InstanceType<typeof RTCVideoSource>;
type AudioSource = InstanceType<typeof RTCAudioSource>;

const SAMPLE_RATE = 48_000;
const AUDIO_FRAME = SAMPLE_RATE / 100; // 10 ms, what RTCAudioSource takes

export class SyntheticMedia {
  private readonly videos = new Set<VideoSource>();
  private readonly audios = new Set<AudioSource>();
  private readonly frame: Uint8Array;
  private readonly samples = new Int16Array(AUDIO_FRAME);
  private tick = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly width: number,
    private readonly height: number,
    fps: number,
  ) {
    this.frame = new Uint8Array((width * height * 3) / 2).fill(128);
    for (let i = 0; i < AUDIO_FRAME; i++) this.samples[i] = Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE));
    this.timers.push(setInterval(() => this.videoTick(), 1000 / fps));
    this.timers.push(setInterval(() => this.audioTick(), 10));
  }

  /** A new camera track (and its source) for one site. */
  videoTrack(): { track: MediaStreamTrack; stop(): void } {
    const source = new RTCVideoSource();
    this.videos.add(source);
    const track = source.createTrack();
    const stop = () => {
      this.videos.delete(source);
      track.stop();
    };
    return { track, stop };
  }

  audioTrack(): { track: MediaStreamTrack; stop(): void } {
    const source = new RTCAudioSource();
    this.audios.add(source);
    const track = source.createTrack();
    const stop = () => {
      this.audios.delete(source);
      track.stop();
    };
    return { track, stop };
  }

  /** A bright bar sweeping across a grey picture: enough motion for the encoder to send real frames. */
  private videoTick(): void {
    const { width, height, frame } = this;
    const bar = Math.max(4, width >> 4);
    const prev = (this.tick * 4) % width;
    this.tick++;
    const next = (this.tick * 4) % width;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      frame.fill(128, row + prev, row + Math.min(width, prev + bar));
      frame.fill(235, row + next, row + Math.min(width, next + bar));
    }
    const data = { width, height, data: frame };
    for (const v of this.videos) v.onFrame(data);
  }

  private audioTick(): void {
    const data = { samples: this.samples, sampleRate: SAMPLE_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: AUDIO_FRAME };
    for (const a of this.audios) a.onData(data);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
