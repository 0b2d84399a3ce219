// One simulated site on a Janus VideoRoom, doing what infra/loadtest/site.ts does on LienThong:
// publish Opus and VP8 simulcast (the same three encodings) from the shared synthetic source, and
// receive every other site's audio and video on one multistream subscriber handle, the main
// picture's feed at the top simulcast layer and the others at the lowest (the load tool's
// default --layers main with site 1 speaking); then read the same receive counters.
import { layerFor } from '@lienthong/sfu-server/protocol';
import wrtc from '@roamhq/wrtc';
import type { SyntheticMedia } from '../../../infra/loadtest/media-source';
import { inboundCounters, type ReceiveCounters, videoLayersSent } from '../../../infra/loadtest/report';
import { JanusSession, type Jsep } from './api';
import { JANUS_ROOM } from './server';

/**
 * infra/loadtest/site.ts SIMULCAST (low to high), with rids: Janus maps rids to substreams by
 * the order the offer states (rid_order "lmh"), so substream 0 is the scale-4 encoding.
 */
const SIMULCAST: RTCRtpEncodingParameters[] = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 100_000, maxFramerate: 15 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 450_000 },
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/** The web app's layers (layerFor): the main picture's top substream, thumbnails' lowest, every temporal layer. */
const layersOf = (feed: number, mainFeed: number) => ({ substream: layerFor(String(feed), String(mainFeed)), temporal: 2 });

const PLUGIN = 'janus.plugin.videoroom';

/** The payload type of a codec in an SDP (first match), e.g. ptOf(sdp, 'opus/48000'). */
const ptOf = (sdp: string, codec: string) => new RegExp(`a=rtpmap:(\\d+) ${codec}`, 'i').exec(sdp)?.[1];

/**
 * The codec options the load tool gives LienThong (site.ts: opusDtx, videoGoogleStartBitrate 600;
 * opusFec is Janus's default), set the way mediasoup-client and janus.js set them, in the SDP:
 * Janus answers usedtx=1 only when the offer asks for it, and the start bitrate is a local
 * setting read from the answer.
 */
function withOpusDtx(offer: string): string {
  const pt = ptOf(offer, 'opus/48000');
  return pt ? offer.replace(new RegExp(`(a=fmtp:${pt} [^\\r\\n]*)`), '$1;usedtx=1') : offer;
}

function withStartBitrate(answer: string): string {
  const pt = ptOf(answer, 'VP8/90000');
  if (!pt) return answer;
  const fmtp = new RegExp(`(a=fmtp:${pt} [^\\r\\n]*)`);
  return fmtp.test(answer)
    ? answer.replace(fmtp, '$1;x-google-start-bitrate=600')
    : answer.replace(new RegExp(`(a=rtpmap:${pt} VP8/90000\\r\\n)`), `$1a=fmtp:${pt} x-google-start-bitrate=600\r\n`);
}

/** Full offers and answers, no trickle: on loopback host candidates are all there is. */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });
}

function connected(pc: RTCPeerConnection, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed')
        reject(new Error(`${what} connection ${pc.connectionState}`));
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

export class JanusSite {
  /** The publisher's id in the room (its feed), once published. */
  feed = 0;
  joinMs: number | null = null;
  firstFrameMs: number | null = null;
  readonly errors: string[] = [];
  get username(): string {
    return `site-${this.index}`;
  }
  private session: JanusSession | null = null;
  private pub: RTCPeerConnection | null = null;
  private sub: RTCPeerConnection | null = null;
  private readonly tracks: { stop(): void }[] = [];
  private readonly sinks: { stop(): void }[] = [];
  private t0 = 0;
  private closing = false;

  constructor(
    readonly index: number,
    private readonly url: string,
    private readonly media: SyntheticMedia,
  ) {}

  private fail(e: unknown): void {
    if (!this.closing) this.errors.push(e instanceof Error ? e.message : String(e));
  }

  /** Joins as a publisher and sends; false when it failed (the error is kept). */
  async publish(timeoutMs: number): Promise<boolean> {
    this.t0 = performance.now();
    try {
      await withTimeout(this.doPublish(), timeoutMs, 'publish');
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private async doPublish(): Promise<void> {
    this.session = await JanusSession.create(this.url);
    const handle = await this.session.attach(PLUGIN, (m) => m.janus === 'hangup' && this.fail(new Error('publisher hung up')));
    const joined = await handle.message({ request: 'join', ptype: 'publisher', room: JANUS_ROOM, display: `site-${this.index}` });
    this.feed = joined.data.id as number;
    const pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    this.pub = pc;
    const audio = this.media.audioTrack(this.index);
    const video = this.media.videoTrack();
    this.tracks.push(audio, video);
    pc.addTransceiver(audio.track, { direction: 'sendonly' });
    pc.addTransceiver(video.track, { direction: 'sendonly', sendEncodings: SIMULCAST });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const offer: Jsep = { type: 'offer', sdp: withOpusDtx(pc.localDescription!.sdp), rid_order: 'lmh', trickle: false };
    const r = await handle.message({ request: 'publish', audio: true, video: true, data: false }, offer);
    if (!r.jsep) throw new Error('janus publish: no answer');
    await pc.setRemoteDescription({ type: 'answer', sdp: withStartBitrate(r.jsep.sdp) });
    await connected(pc, 'publisher');
    pc.addEventListener(
      'connectionstatechange',
      () => pc.connectionState === 'failed' && this.fail(new Error('publisher connection failed')),
    );
  }

  /** Subscribes to every other site's streams on one handle, `mainFeed` as the main picture; false when it failed. */
  async subscribe(feeds: number[], mainFeed: number, timeoutMs: number): Promise<boolean> {
    try {
      if (feeds.length) await withTimeout(this.doSubscribe(feeds, mainFeed), timeoutMs, 'subscribe');
      this.joinMs = performance.now() - this.t0;
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private async doSubscribe(feeds: number[], mainFeed: number): Promise<void> {
    const session = this.session!;
    const handle = await session.attach(PLUGIN, (m) => m.janus === 'hangup' && this.fail(new Error('subscriber hung up')));
    const streams = feeds.map((feed) => ({ feed, ...layersOf(feed, mainFeed) }));
    const r = await handle.message({ request: 'join', ptype: 'subscriber', room: JANUS_ROOM, streams });
    if (!r.jsep) throw new Error('janus subscribe: no offer');
    const pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    this.sub = pc;
    pc.addEventListener('track', (e) => {
      if (e.track.kind === 'video' && this.firstFrameMs === null) this.watchFirstFrame(e.track);
    });
    await pc.setRemoteDescription(r.jsep as RTCSessionDescriptionInit);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await handle.message({ request: 'start', room: JANUS_ROOM }, { type: 'answer', sdp: pc.localDescription!.sdp, trickle: false });
    await connected(pc, 'subscriber');
    pc.addEventListener(
      'connectionstatechange',
      () => pc.connectionState === 'failed' && this.fail(new Error('subscriber connection failed')),
    );
  }

  /** A decoded frame, not only packets (as infra/loadtest/site.ts). */
  private watchFirstFrame(track: MediaStreamTrack): void {
    const sink = new wrtc.nonstandard.RTCVideoSink(track as never);
    this.sinks.push(sink);
    sink.onframe = () => {
      if (this.firstFrameMs === null) this.firstFrameMs = performance.now() - this.t0;
      for (const s of this.sinks.splice(0)) s.stop();
    };
  }

  /** Cumulative receive counters of the subscriber connection, counted as the load tool counts them. */
  async counters(): Promise<ReceiveCounters> {
    if (!this.sub || this.sub.connectionState === 'closed') return inboundCounters([]);
    return inboundCounters((await this.sub.getStats()).values());
  }

  /** Video layers (simulcast encodings) this site is sending now. */
  async sentLayers(): Promise<number> {
    if (!this.pub || this.pub.connectionState === 'closed') return 0;
    return videoLayersSent((await this.pub.getStats()).values());
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.sinks.splice(0)) s.stop();
    this.sub?.close();
    this.pub?.close();
    for (const t of this.tracks) t.stop();
    await this.session?.destroy();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
