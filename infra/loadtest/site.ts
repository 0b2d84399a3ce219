// One simulated site, doing what the web app's MediaSession does (web/src/lib/media/session.ts):
// log in, connect signalling, join the meeting, send simulcast VP8 and Opus over a send transport,
// consume every other site's producers over a recv transport, ask for the layers the room page asks
// for (the main picture's top layer, thumbnails' lowest); then read its receive stats.
import { afterSpeaking, layerFor, mainFor, type ProducerAnnouncement, type RoomState } from '@lienthong/sfu-server/protocol';
import wrtc from '@roamhq/wrtc';
import { Device, type types } from 'mediasoup-client';
import type { LayerChoice } from './args';
import type { SiteAccount } from './fixture';
import { type Api, login } from './http';
import type { SyntheticMedia } from './media-source';
import { inboundCounters, type ReceiveCounters, videoLayersSent } from './report';
import { Signalling } from './signalling';

// mediasoup-client's Chrome111 handler drives the standard API; wrtc provides it in Node.
Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCRtpTransceiver: wrtc.RTCRtpTransceiver,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
});

/** The web app's three layers (web/src/lib/media/session.ts). */
const SIMULCAST: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000, maxFramerate: 15 },
  { scaleResolutionDownBy: 2, maxBitrate: 450_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

const PROBATOR_SSRC = 1234;

export type SiteState = 'waiting' | 'joining' | 'joined' | 'failed' | 'closed';

export class SimulatedSite {
  state: SiteState = 'waiting';
  /** ms from the start of signalling (after login) to joined and sending. */
  joinMs: number | null = null;
  /** ms from the same start to the first decoded video frame of another site. */
  firstFrameMs: number | null = null;
  readonly errors: string[] = [];
  get index(): number {
    return this.account.index;
  }
  get username(): string {
    return this.account.username;
  }
  private sig: Signalling | null = null;
  private readonly device = new Device({ handlerName: 'Chrome111' });
  private send: types.Transport | null = null;
  private recv: types.Transport | null = null;
  private readonly consumers = new Map<string, types.Consumer>(); // by producerId
  /** Video consumers' sending peer, and the layer last asked for each (by consumer id). */
  private readonly videoFrom = new Map<string, string>();
  private readonly asked = new Map<string, number>();
  private mainPeerId: string | null = null;
  private room: Pick<RoomState, 'mainPeerId' | 'recentSpeakers' | 'participants'> | null = null;
  private readonly pending = new Set<string>();
  private readonly tracks: { stop(): void }[] = [];
  private readonly sinks: { stop(): void }[] = [];
  private peerId = '';
  private t0 = 0;

  constructor(
    readonly account: SiteAccount,
    private readonly api: Api,
    private readonly url: string,
    private readonly media: SyntheticMedia,
    private readonly meetingId: string,
    private readonly layers: LayerChoice = 'main',
  ) {}

  async start(joinTimeoutMs: number): Promise<void> {
    this.state = 'joining';
    try {
      const token = await login(this.api, this.account.username, this.account.password);
      this.t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not joined within ${joinTimeoutMs / 1000} s`)), joinTimeoutMs);
      });
      await Promise.race([this.join(token), timeout]).finally(() => clearTimeout(timer));
      this.joinMs = performance.now() - this.t0;
      this.state = 'joined';
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.errors.push(e instanceof Error ? e.message : String(e));
    if (this.state === 'joining') this.state = 'failed';
  }

  private async join(token: string): Promise<void> {
    const sig = await Signalling.connect(this.url, token, this.api.ca);
    this.sig = sig;
    sig.socket.on('disconnect', (reason) => this.state !== 'closed' && this.fail(new Error(`signalling lost: ${reason}`)));
    const { routerRtpCapabilities } = await sig.request('router:capabilities', {});
    await this.device.load({ routerRtpCapabilities: routerRtpCapabilities as unknown as types.RtpCapabilities });
    const known: ProducerAnnouncement[] = [];
    sig.on('media:newProducer', (a) => (this.recv ? void this.consume(a) : known.push(a)));
    sig.on('media:producerClosed', ({ producerId }) => this.consumers.get(producerId)?.close());
    sig.on('room:state', (room) => this.setMain(room));
    sig.on(
      'room:activeSpeaker',
      ({ peerId }) =>
        this.room && peerId && this.setMain({ ...this.room, recentSpeakers: afterSpeaking(this.room.recentSpeakers, peerId) }),
    );
    const res = await sig.request('meeting:join', {
      meetingId: this.meetingId,
      rtpCapabilities: this.device.rtpCapabilities as unknown as Record<string, unknown>,
    });
    this.peerId = res.peerId;
    if (res.room) this.setMain(res.room);
    this.send = await this.transport('send');
    this.recv = await this.transport('recv');
    const connected = new Promise<void>((resolve, reject) => {
      this.send?.on('connectionstatechange', (s) =>
        s === 'connected' ? resolve() : s === 'failed' ? reject(new Error('send transport failed')) : undefined,
      );
    });
    const audio = this.media.audioTrack(this.index);
    const video = this.media.videoTrack();
    this.tracks.push(audio, video);
    await this.send.produce({ track: audio.track, codecOptions: { opusFec: true, opusDtx: true }, appData: { source: 'mic' } });
    await this.send.produce({
      track: video.track,
      encodings: SIMULCAST,
      codecOptions: { videoGoogleStartBitrate: 600 },
      appData: { source: 'camera' },
    });
    for (const a of [...res.producers, ...known]) void this.consume(a);
    await connected;
  }

  private async transport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const sig = this.sig as Signalling;
    const info = await sig.request('media:createTransport', { direction });
    const params = {
      id: info.id,
      iceParameters: info.iceParameters as unknown as types.IceParameters,
      iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
    };
    const t = direction === 'send' ? this.device.createSendTransport(params) : this.device.createRecvTransport(params);
    t.on('connect', ({ dtlsParameters }, ok, fail) => {
      sig
        .request('media:connectTransport', { transportId: t.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
        .then(() => ok(), fail);
    });
    t.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
      const source = (appData as { source: 'mic' | 'camera' }).source;
      sig
        .request('media:produce', { transportId: t.id, kind, rtpParameters: rtpParameters as unknown as Record<string, unknown>, source })
        .then(({ producerId }) => ok({ id: producerId }), fail);
    });
    t.on('connectionstatechange', (s) => {
      if (s === 'failed') this.fail(new Error(`${direction} transport failed`));
    });
    return t;
  }

  private async consume(a: ProducerAnnouncement): Promise<void> {
    if (!this.recv || !this.sig || a.peerId === this.peerId || this.consumers.has(a.producerId) || this.pending.has(a.producerId)) return;
    this.pending.add(a.producerId);
    try {
      const info = await this.sig.request('media:consume', { producerId: a.producerId });
      const consumer = await this.recv.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as unknown as types.RtpParameters,
      });
      this.consumers.set(a.producerId, consumer);
      consumer.observer.on('close', () => this.videoFrom.delete(consumer.id));
      if (consumer.kind === 'video' && this.firstFrameMs === null) this.watchFirstFrame(consumer.track);
      await this.sig.request('media:resumeConsumer', { consumerId: consumer.id });
      if (consumer.kind === 'video') {
        this.videoFrom.set(consumer.id, a.peerId);
        await this.askLayer(consumer.id, a.peerId);
      }
    } catch (e) {
      if (this.state !== 'closed') this.fail(e);
    } finally {
      this.pending.delete(a.producerId);
    }
  }

  /** As the room page: the main picture by the product's rule for this viewer (mainFor). */
  private setMain(room: Partial<RoomState> & Pick<RoomState, 'mainPeerId'>): void {
    this.room = { mainPeerId: room.mainPeerId, recentSpeakers: room.recentSpeakers ?? [], participants: room.participants ?? [] };
    const peerId = mainFor(this.room, this.peerId);
    if (peerId === this.mainPeerId) return;
    this.mainPeerId = peerId;
    for (const [consumerId, from] of this.videoFrom) void this.askLayer(consumerId, from);
  }

  /** As the room page: asked once per change; the server starts every consumer at the lowest layer. */
  private async askLayer(consumerId: string, from: string): Promise<void> {
    if (this.layers === 'low' || !this.sig) return;
    const want = layerFor(from, this.mainPeerId);
    if ((this.asked.get(consumerId) ?? 0) === want) return;
    this.asked.set(consumerId, want);
    try {
      await this.sig.request('media:setConsumerLayers', { consumerId, spatialLayer: want });
    } catch {
      // As the room page: a consumer closed meanwhile is no error; the widest-frame column shows whether layers came.
      this.asked.delete(consumerId);
    }
  }

  /** A decoded frame, not only packets: a sink on the track until the first one arrives. */
  private watchFirstFrame(track: MediaStreamTrack): void {
    const sink = new wrtc.nonstandard.RTCVideoSink(track as never);
    this.sinks.push(sink);
    sink.onframe = () => {
      if (this.firstFrameMs === null) this.firstFrameMs = performance.now() - this.t0;
      for (const s of this.sinks.splice(0)) s.stop();
    };
  }

  /** Cumulative receive counters of every consumer; mediasoup's bandwidth probation stream is no site's media. */
  async counters(): Promise<ReceiveCounters> {
    if (!this.recv || this.recv.closed) return inboundCounters([]);
    return inboundCounters((await this.recv.getStats()).values(), PROBATOR_SSRC);
  }

  /** Video layers (simulcast encodings) this site is sending now. */
  async sentLayers(): Promise<number> {
    if (!this.send || this.send.closed) return 0;
    return videoLayersSent((await this.send.getStats()).values());
  }

  consumerCount(): number {
    return this.consumers.size;
  }

  async close(): Promise<void> {
    const was = this.state;
    this.state = 'closed';
    for (const s of this.sinks.splice(0)) s.stop();
    if (was === 'joined') await this.sig?.request('meeting:leave', {}, 3000).catch(() => undefined);
    this.send?.close();
    this.recv?.close();
    for (const t of this.tracks) t.stop();
    this.sig?.close();
  }
}
