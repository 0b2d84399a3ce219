// Synthetic camera and microphone shared by every simulated site: one moving pattern and two
// tones, generated once per tick and handed to each site's wrtc source (N sites, one generator).
// One site speaks (a loud tone in syllables, about -21 dBov) and the others murmur (a steady -41 dBov,
// not silence, so Opus DTX does not thin their packets): the dominant-speaker detection, which looks
// for speech-like bursts above each stream's own floor, then picks the speaker and keeps it.
// The picture changes as a camera's does (a sweeping bar and a patch of fresh noise the size of
// a face), so the encoder spends about what it would on a person, not a few bytes on a flat field.
import { randomFillSync } from 'node:crypto';
import wrtc from '@roamhq/wrtc';

const { RTCAudioSource, RTCVideoSource } = wrtc.nonstandard;
type VideoSource = InstanceType<typeof RTCVideoSource>;
type AudioSource = InstanceType<typeof RTCAudioSource>;

const SAMPLE_RATE = 48_000;
const AUDIO_FRAME = SAMPLE_RATE / 100; // 10 ms, what RTCAudioSource takes
/** A syllable: 200 ms of voice, then 100 ms of murmur (in 10 ms frames). */
const SYLLABLE = 30;
const VOICED = 20;
/** The noise patch's share of each side of the picture. */
const PATCH = 0.25;

export class SyntheticMedia {
  private readonly videos = new Set<VideoSource>();
  private readonly audios = new Map<AudioSource, number>(); // source -> site index
  private speaker = 1;
  private readonly frame: Uint8Array;
  private readonly voice = tone(3000);
  private readonly murmur = tone(300);
  private tick = 0;
  private audioFrames = 0;
  private readonly noise: Uint8Array;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly width: number,
    private readonly height: number,
    fps: number,
  ) {
    this.frame = new Uint8Array((width * height * 3) / 2).fill(128);
    this.noise = new Uint8Array(Math.floor(width * PATCH));
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

  /** A new microphone track for site `site` (1-based): the speaker's is the loud tone. */
  audioTrack(site: number): { track: MediaStreamTrack; stop(): void } {
    const source = new RTCAudioSource();
    this.audios.set(source, site);
    const track = source.createTrack();
    const stop = () => {
      this.audios.delete(source);
      track.stop();
    };
    return { track, stop };
  }

  /** A bright bar sweeping across a grey picture, and a noise patch in the middle, half its rows new each frame. */
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
    const w = this.noise.length;
    const h = Math.floor(height * PATCH);
    const x0 = (width - w) >> 1;
    const y0 = (height - h) >> 1;
    for (let y = y0; y < y0 + h; y++) {
      if ((y + this.tick) % 2) randomFillSync(this.noise);
      frame.set(this.noise, y * width + x0);
    }
    const data = { width, height, data: frame };
    for (const v of this.videos) v.onFrame(data);
  }

  /** The site (1-based index) that speaks from now on. */
  setSpeaker(site: number): void {
    this.speaker = site;
  }

  get speakerSite(): number {
    return this.speaker;
  }

  private audioTick(): void {
    const frame = (samples: Int16Array) => ({
      samples,
      sampleRate: SAMPLE_RATE,
      bitsPerSample: 16,
      channelCount: 1,
      numberOfFrames: AUDIO_FRAME,
    });
    const murmur = frame(this.murmur);
    const voice = this.audioFrames++ % SYLLABLE < VOICED ? frame(this.voice) : murmur;
    for (const [a, site] of this.audios) a.onData(site === this.speaker ? voice : murmur);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }
}

/** 10 ms of a 440 Hz tone. */
function tone(amplitude: number): Int16Array {
  const out = new Int16Array(AUDIO_FRAME);
  for (let i = 0; i < AUDIO_FRAME; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE));
  return out;
}
