// One recording in progress: the GStreamer pipeline and the room's plain RTP outputs feeding it.
// Twice a second the slot plan (domain/recording/layout.ts) is read from the room and only the
// slots that change are re-fed; a tap lost with its worker is opened again on the same ports.
import { dirname, join } from 'node:path';
import type { Logger } from '@lienthong/kit';
import { changedSlots, emptyPlan, planSlots, type RecordingView, type SlotPlan } from '../domain/recording/layout';
import type { MediaTap, TapOutput } from '../media/media-tap';
import { freeUdpPorts, type GstRun, startGst } from './gst-process';
import { pipelineArgs } from './pipeline';

export interface RecorderSettings {
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  /** Main picture plus thumbnails. */
  videoSlots: number;
  /** Open microphones mixed at once. */
  audioSlots: number;
}

export interface RecorderDeps {
  openTap(): Promise<MediaTap>;
  /** The room now; null once the room is gone (the recording then ends). */
  view(): RecordingView | null;
  logger: Logger;
  /** The pipeline or the room ended without stop(): `reason` says why. */
  onEnded(reason: 'room-closed' | 'pipeline-exit'): void;
  /** Free loopback UDP ports for the pipeline's inputs (freeUdpPorts unless given). */
  choosePorts?(count: number): Promise<number[]>;
}

const TICK_MS = 500;
/** A pipeline dead this soon after it began to play is started again (at most EARLY_RESTARTS times). */
const EARLY_DEATH_MS = 5000;
const EARLY_RESTARTS = 2;
/** The main picture at the top simulcast layer, thumbnails at the lowest. */
const layerOfSlot = (slot: number) => (slot === 0 ? 2 : 0);

export class Recorder {
  private plan: SlotPlan;
  private tap: MediaTap | null = null;
  /** Per video slot a VP8 output (browsers) and an H.264 one (room systems); the audio outputs. */
  private outputs: { video: TapOutput[]; h264: TapOutput[]; audio: TapOutput[] } = { video: [], h264: [], audio: [] };
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private earlyRestarts = 0;
  /** Set while start() waits for the first pipeline to play. */
  private starting = true;
  /** When the current pipeline began to play; 0 before. */
  private playingAt = 0;
  private stopping = false;
  /** Streams this pipeline cannot take (another codec): planned around. */
  private readonly unrecordable = new Set<string>();

  private gst: GstRun | null = null;

  private constructor(
    private readonly ports: { video: number[]; h264: number[]; audio: number[]; discard: number },
    private readonly deps: RecorderDeps,
  ) {
    this.plan = emptyPlan(ports.video.length, ports.audio.length);
  }

  /** Starts recording; a port taken between choosing it and the pipeline binding it is chosen again. */
  static async start(file: string, s: RecorderSettings, deps: RecorderDeps): Promise<Recorder> {
    for (let attempt = 1; ; attempt++) {
      const made = await Recorder.startOnce(file, s, deps);
      if (made) return made;
      deps.logger.warn({ file, attempt }, 'a recording port was taken meanwhile; other ports');
      if (attempt >= 3) throw new Error('The recording pipeline found its ports taken three times');
    }
  }

  /** null: the pipeline could not bind a port it was given (taken since it was found free). */
  private static async startOnce(file: string, s: RecorderSettings, deps: RecorderDeps): Promise<Recorder | null> {
    const tap = await deps.openTap();
    const all = await (deps.choosePorts ?? freeUdpPorts)(2 * s.videoSlots + s.audioSlots + 1);
    const ports = {
      video: all.slice(0, s.videoSlots),
      h264: all.slice(s.videoSlots, 2 * s.videoSlots),
      audio: all.slice(2 * s.videoSlots, -1),
      discard: all.at(-1)!,
    };
    const args = pipelineArgs({
      file,
      width: s.width,
      height: s.height,
      fps: s.fps,
      videoKbps: s.videoKbps,
      videoPorts: ports.video,
      h264Ports: ports.h264,
      audioPorts: ports.audio,
      discardPort: ports.discard,
      vp8PayloadType: tap.payloadType('video/VP8') ?? 101,
      opusPayloadType: tap.payloadType('audio/opus') ?? 100,
    });
    // The streams are flowing before the pipeline starts: the file begins with the meeting, not with set-up.
    const recorder: Recorder = new Recorder(ports, deps);
    await recorder.attach(tap);
    await recorder.tick(true);
    recorder.launch(args, join(dirname(file), '.gstreamer-registry.bin'), file);
    // Wait for the pipeline that plays: one dead at its start may have been replaced meanwhile.
    for (;;) {
      const run = recorder.gst!;
      await Promise.race([run.playing, new Promise((r) => setTimeout(r, 10_000))]);
      if (run.hasExited()) await new Promise((r) => setImmediate(r)); // its exit handler has run
      if (recorder.gst === run) break;
    }
    const gst = recorder.gst!;
    recorder.starting = false;
    if (gst.hasExited()) {
      recorder.halt();
      if (/Address already in use/.test(gst.tail())) return null;
      return recorder; // dead with no restart left: its exit handler has reported it
    }
    recorder.playingAt ||= Date.now();
    await recorder.askKeyFrames();
    recorder.timer = setInterval(() => void recorder.tick(), TICK_MS);
    return recorder;
  }

  /**
   * Starts the pipeline. One that dies within its first seconds of playing (seen under load: the muxer
   * refused a buffer with no PTS) is started again over the same file, which holds next to nothing yet.
   * One that could not bind a port at its start is left to start(), which chooses other ports.
   */
  private launch(args: string[], registry: string, file: string): void {
    this.playingAt = 0;
    const run = startGst(args, registry, () => {
      if (this.stopping || run !== this.gst) return;
      if (this.starting && /Address already in use/.test(run.tail())) return;
      const early = !this.playingAt || Date.now() - this.playingAt < EARLY_DEATH_MS;
      if (early && this.earlyRestarts < EARLY_RESTARTS) {
        this.earlyRestarts++;
        this.deps.logger.warn(
          { file, gst: run.tail(), restart: this.earlyRestarts },
          'recording pipeline died at its start; starting it again',
        );
        this.launch(args, registry, file);
        return;
      }
      this.deps.logger.error({ file, gst: run.tail() }, 'recording pipeline exited');
      this.halt();
      this.deps.onEnded('pipeline-exit');
    });
    this.gst = run;
    void run.playing.then(() => {
      if (run !== this.gst || run.hasExited()) return;
      this.playingAt = Date.now();
      if (!this.starting) void this.askKeyFrames();
    });
  }

  /** Its decoders wait for a keyframe: ask for one now rather than at the senders' next. */
  private async askKeyFrames(): Promise<void> {
    await Promise.all([...this.outputs.video, ...this.outputs.h264].map((o) => o.requestKeyFrame().catch(() => undefined)));
  }

  /** Sends EOS and waits for the file to be finalised. */
  async stop(): Promise<{ exitCode: number | null; pipelineError: string }> {
    this.stopping = true;
    this.halt();
    const exitCode = this.gst ? await this.gst.stop() : null;
    return { exitCode, pipelineError: exitCode === 0 ? '' : (this.gst?.tail() ?? '') };
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tap?.close();
    this.tap = null;
  }

  private async attach(tap: MediaTap): Promise<void> {
    this.tap = tap;
    const out = (kind: 'audio' | 'video') => (port: number) => tap.output({ port, rtcpPort: this.ports.discard, kind });
    this.outputs = {
      video: await Promise.all(this.ports.video.map(out('video'))),
      h264: await Promise.all(this.ports.h264.map(out('video'))),
      audio: await Promise.all(this.ports.audio.map(out('audio'))),
    };
    this.plan = emptyPlan(this.ports.video.length, this.ports.audio.length);
  }

  /** A browser's VP8 at the slot's simulcast layer, else a room system's H.264 as it is; the other input empty. */
  private async feedVideo(slot: number, producerId: string | null): Promise<boolean> {
    const vp8 = this.outputs.video[slot];
    const h264 = this.outputs.h264[slot];
    if (!vp8 || !h264) return false;
    if (await vp8.feed(producerId, 'video/VP8', layerOfSlot(slot))) {
      await h264.feed(null, 'video/H264');
      return true;
    }
    return h264.feed(producerId, 'video/H264');
  }

  private recordable(view: RecordingView): RecordingView {
    const ok = <T extends { producerId: string }>(m: T | null): T | null => (m && !this.unrecordable.has(m.producerId) ? m : null);
    return {
      ...view,
      presentationProducerId: this.unrecordable.has(view.presentationProducerId ?? '') ? null : view.presentationProducerId,
      peers: view.peers.map((p) => ({ ...p, camera: ok(p.camera), mic: ok(p.mic) })),
    };
  }

  private async tick(first = false): Promise<void> {
    if (this.busy || (!this.timer && !first)) return;
    this.busy = true;
    try {
      const view = this.deps.view();
      if (!view) {
        this.halt();
        this.deps.onEnded('room-closed');
        return;
      }
      if (this.tap?.closed) await this.attach(await this.deps.openTap());
      const next = planSlots(this.recordable(view), this.plan);
      for (const c of changedSlots(this.plan, next)) {
        const ok =
          c.kind === 'video'
            ? await this.feedVideo(c.slot, c.producerId)
            : await this.outputs.audio[c.slot]?.feed(c.producerId, 'audio/opus');
        // A stream that cannot be recorded here (another codec, gone) leaves its slot empty.
        if (!ok && c.producerId) {
          this.unrecordable.add(c.producerId);
          (c.kind === 'video' ? next.video : next.audio)[c.slot] = null;
        }
      }
      this.plan = next;
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'recording slots not updated');
    } finally {
      this.busy = false;
    }
  }
}
