// Browser side of a room's media: one send and one recv transport, simulcast
// camera + Opus (FEC, DTX) microphone, a consumer per remote producer. Recovers
// by itself: ICE restart on network trouble, re-join after a signalling drop,
// full rebuild when the server lost our media (worker restart).
import type { JoinRes, ProducerAnnouncement, ReceiveMode } from '@lienthong/sfu-server/protocol';
import type { types } from 'mediasoup-client';
import { Device } from 'mediasoup-client';
import type { SignallingClient } from '../signalling/client';

export type RoomTarget = { type: 'selftest' } | { type: 'meeting'; meetingId: string };

export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: 'mic' | 'camera' | 'screen';
  track: MediaStreamTrack;
  paused: boolean;
}

export type SessionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

// Three simulcast layers; thumbnails take the lowest.
const SIMULCAST: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

export class MediaSession {
  readonly device = new Device();
  peerId: string | null = null;
  status: SessionStatus = 'idle';
  receiveMode: ReceiveMode = 'full';
  readonly remote = new Map<string, RemoteTrack>(); // by consumerId
  lastJoin: JoinRes | null = null;

  private sendTransport: types.Transport | null = null;
  private recvTransport: types.Transport | null = null;
  private readonly producers = new Map<'mic' | 'camera' | 'screen', types.Producer>();
  private readonly consumers = new Map<string, types.Consumer>();
  private readonly pending = new Set<string>(); // producerIds being consumed
  private local: { audio?: MediaStreamTrack; video?: MediaStreamTrack } = {};
  private readonly listeners = new Set<() => void>();
  private readonly offs: (() => void)[] = [];
  private rebuilding: Promise<void> | null = null;
  private rebuildAgain = false;
  private closed = false;
  private hadDisconnect = false;
  /** The user's own choices, re-applied when the media is rebuilt (worker or server restart). */
  private micWanted = true;
  private screenTrack: MediaStreamTrack | null = null;

  constructor(
    private readonly sig: SignallingClient,
    private readonly target: RoomTarget,
  ) {}

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  private setStatus(s: SessionStatus): void {
    this.status = s;
    this.changed();
  }

  async start(local: { audio?: MediaStreamTrack; video?: MediaStreamTrack }): Promise<JoinRes> {
    this.local = local;
    this.setStatus('connecting');
    const { routerRtpCapabilities } = await this.sig.request('router:capabilities', {});
    await this.device.load({ routerRtpCapabilities: routerRtpCapabilities as unknown as types.RtpCapabilities });
    this.listen();
    const res = await this.join(undefined);
    await this.buildMedia();
    this.setStatus('connected');
    return res;
  }

  /** Stop sending video and stop receiving it; audio keeps flowing. */
  async setReceiveMode(mode: ReceiveMode): Promise<void> {
    this.receiveMode = mode;
    if (this.target.type === 'meeting') await this.sig.request('meeting:setReceiveMode', { mode });
    const cam = this.producers.get('camera');
    if (mode === 'audio-only') {
      for (const r of [...this.remote.values()]) if (r.kind === 'video') await this.dropConsumer(r.consumerId, true);
      if (cam && !cam.paused) {
        cam.pause();
        await this.sig.request('media:pauseProducer', { producerId: cam.id });
      }
    } else {
      if (cam?.paused && this.local.video) {
        cam.resume();
        await this.sig.request('media:resumeProducer', { producerId: cam.id });
      }
      if (cam) await cam.setMaxSpatialLayer(mode === 'low' ? 0 : 2).catch(() => undefined);
      // Re-consume video we dropped in audio-only mode.
      for (const a of this.lastJoinProducers()) await this.consume(a);
      for (const r of this.remote.values()) {
        if (r.kind === 'video') await this.setLayer(r.consumerId, mode === 'low' ? 0 : 1).catch(() => undefined);
      }
    }
    this.changed();
  }

  /** Spatial layer for a consumer: 2 for the main picture, 0 for thumbnails. */
  async setLayer(consumerId: string, spatialLayer: number): Promise<void> {
    await this.sig.request('media:setConsumerLayers', { consumerId, spatialLayer: this.receiveMode === 'low' ? 0 : spatialLayer });
  }

  async setMicEnabled(on: boolean): Promise<void> {
    this.micWanted = on;
    const mic = this.producers.get('mic');
    if (!mic) return;
    if (on) {
      mic.resume();
      await this.sig.request('media:resumeProducer', { producerId: mic.id });
    } else {
      mic.pause();
      await this.sig.request('media:pauseProducer', { producerId: mic.id });
    }
    this.changed();
  }

  /** Presentation: send a screen/window track as the 'screen' source (the server allows one at a time). */
  async startScreenShare(track: MediaStreamTrack): Promise<void> {
    if (!this.sendTransport) throw new Error('not connected');
    this.screenTrack = track;
    // Ends when the user stops sharing in the browser, or when the chair stops it (server closes the producer).
    track.addEventListener('ended', () => void this.stopScreenShare());
    try {
      await this.produceScreen(this.sendTransport, track);
    } catch (e) {
      this.endScreenTrack();
      this.changed();
      throw e;
    }
  }

  /** The track outlives its producer: a media rebuild shares the same screen again. */
  private async produceScreen(transport: types.Transport, track: MediaStreamTrack): Promise<void> {
    const p = await transport.produce({ track, stopTracks: false, appData: { source: 'screen' } });
    this.producers.set('screen', p);
    const off = this.sig.on('media:producerClosed', ({ producerId, reason }) => {
      if (producerId !== p.id) return;
      off();
      // Lost with a worker: the rebuild that follows shares the same track again.
      if (reason === 'media-lost' || this.producers.get('screen') !== p) return;
      // Closed on purpose by the server: the chair stopped it.
      this.producers.delete('screen');
      p.close();
      this.endScreenTrack();
      this.changed();
    });
    this.offs.push(off);
    this.changed();
  }

  private endScreenTrack(): void {
    this.screenTrack?.stop();
    this.screenTrack = null;
  }

  async stopScreenShare(): Promise<void> {
    this.endScreenTrack();
    const p = this.producers.get('screen');
    if (!p) return;
    this.producers.delete('screen');
    p.close();
    await this.sig.request('media:closeProducer', { producerId: p.id }).catch(() => undefined);
    this.changed();
  }

  /** Sharing a screen: true through a media rebuild, false once the chair, the user or a rival ends it. */
  presenting(): boolean {
    return this.screenTrack !== null;
  }

  micEnabled(): boolean {
    const mic = this.producers.get('mic');
    return !!mic && !mic.paused;
  }

  producerId(source: 'mic' | 'camera' | 'screen'): string | undefined {
    return this.producers.get(source)?.id;
  }

  async getStats(): Promise<{ send?: RTCStatsReport; recv?: RTCStatsReport }> {
    return { send: await this.sendTransport?.getStats(), recv: await this.recvTransport?.getStats() };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const off of this.offs) off();
    this.endScreenTrack();
    if (this.target.type === 'meeting') await this.sig.request('meeting:leave', {}, 3000).catch(() => undefined);
    this.teardownLocal();
    this.setStatus('closed');
  }

  // --- internals

  private knownProducers = new Map<string, ProducerAnnouncement>();

  private lastJoinProducers(): ProducerAnnouncement[] {
    return [...this.knownProducers.values()];
  }

  /** Producers announced while a join request is in flight (they may be missing from its reply). */
  private arrivedDuringJoin: Map<string, ProducerAnnouncement> | null = null;

  private async join(resumePeerId: string | undefined): Promise<JoinRes> {
    const rtpCapabilities = this.device.rtpCapabilities as unknown as Record<string, unknown>;
    this.arrivedDuringJoin = new Map();
    const res =
      this.target.type === 'selftest'
        ? await this.sig.request('selftest:join', { rtpCapabilities })
        : await this.sig.request(
            'meeting:join',
            resumePeerId
              ? { meetingId: this.target.meetingId, rtpCapabilities, resumePeerId }
              : { meetingId: this.target.meetingId, rtpCapabilities },
          );
    this.peerId = res.peerId;
    this.lastJoin = res;
    // The reply is the server's list at join time; announcements that raced it are kept too.
    this.knownProducers = new Map([
      ...res.producers.map((p): [string, ProducerAnnouncement] => [p.producerId, p]),
      ...(this.arrivedDuringJoin ?? []),
    ]);
    this.arrivedDuringJoin = null;
    return res;
  }

  private listen(): void {
    this.offs.push(
      this.sig.on('media:newProducer', (a) => {
        this.knownProducers.set(a.producerId, a);
        this.arrivedDuringJoin?.set(a.producerId, a);
        void this.consume(a);
      }),
      this.sig.on('media:producerClosed', ({ producerId }) => {
        this.knownProducers.delete(producerId);
        this.arrivedDuringJoin?.delete(producerId);
        for (const r of [...this.remote.values()]) if (r.producerId === producerId) void this.dropConsumer(r.consumerId, false);
      }),
      this.sig.on('media:producerPaused', ({ producerId, paused }) => {
        for (const r of this.remote.values()) if (r.producerId === producerId) r.paused = paused;
        const a = this.knownProducers.get(producerId);
        if (a) a.paused = paused;
        this.changed();
      }),
      this.sig.on('media:consumerClosed', ({ consumerId }) => void this.dropConsumer(consumerId, false)),
      this.sig.on('media:reset', () => void this.rebuild()),
    );
    const onDisconnect = () => {
      this.hadDisconnect = true;
      if (!this.closed) this.setStatus('reconnecting');
    };
    const onConnect = () => {
      if (this.hadDisconnect && !this.closed) void this.rebuild();
    };
    this.sig.socket.on('disconnect', onDisconnect);
    this.sig.socket.on('connect', onConnect);
    this.offs.push(
      () => this.sig.socket.off('disconnect', onDisconnect),
      () => this.sig.socket.off('connect', onConnect),
    );
  }

  /**
   * After a signalling drop or a server-side media loss: re-join as the same peer.
   * If the server still holds our media we only restart ICE, otherwise rebuild it.
   */
  private rebuild(): Promise<void> {
    if (this.rebuilding) {
      // A second reset while rebuilding (both workers died, one after the other): what is being
      // built may already be gone, so build once more when this round ends.
      this.rebuildAgain = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      this.setStatus('reconnecting');
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          const res = await this.join(this.peerId ?? undefined);
          if (res.resumed && this.sendTransport && this.recvTransport) {
            await this.restartIce(this.sendTransport);
            await this.restartIce(this.recvTransport);
            for (const a of this.knownProducers.values()) await this.consume(a);
          } else {
            this.teardownTransports();
            await this.buildMedia();
          }
          this.hadDisconnect = false;
          this.setStatus('connected');
          return;
        } catch (e) {
          console.warn('rejoin failed, retrying', e);
          await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 3000)));
        }
      }
    })().finally(() => {
      this.rebuilding = null;
      if (this.rebuildAgain && !this.closed) {
        this.rebuildAgain = false;
        void this.rebuild();
      }
    });
    return this.rebuilding;
  }

  private async restartIce(t: types.Transport): Promise<void> {
    const { iceParameters } = await this.sig.request('media:restartIce', { transportId: t.id });
    await t.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
  }

  private async buildMedia(): Promise<void> {
    const send = await this.makeTransport('send');
    const recv = await this.makeTransport('recv');
    this.sendTransport = send;
    this.recvTransport = recv;
    if (this.local.audio && this.local.audio.readyState === 'live') {
      const p = await send.produce({
        track: this.local.audio,
        codecOptions: { opusFec: true, opusDtx: true, opusStereo: false },
        stopTracks: false,
        appData: { source: 'mic' },
      });
      this.producers.set('mic', p);
      // A site that muted itself stays muted through a rebuild.
      if (!this.micWanted) {
        p.pause();
        await this.sig.request('media:pauseProducer', { producerId: p.id });
      }
    }
    if (this.local.video && this.local.video.readyState === 'live') {
      const p = await send.produce({
        track: this.local.video,
        encodings: SIMULCAST,
        codecOptions: { videoGoogleStartBitrate: 600 },
        stopTracks: false,
        appData: { source: 'camera' },
      });
      this.producers.set('camera', p);
      if (this.receiveMode === 'audio-only') {
        p.pause();
        await this.sig.request('media:pauseProducer', { producerId: p.id });
      }
    }
    if (this.screenTrack?.readyState === 'live') {
      // Someone else may have taken the presentation meanwhile: then ours ends.
      await this.produceScreen(send, this.screenTrack).catch(() => this.endScreenTrack());
    }
    // Everything known now, not only the join reply: announcements that arrived while the
    // transports were being built found no recv transport and were not consumed then.
    for (const a of [...this.knownProducers.values()]) await this.consume(a);
  }

  private async makeTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const info = await this.sig.request('media:createTransport', { direction });
    const params = {
      id: info.id,
      iceParameters: info.iceParameters as unknown as types.IceParameters,
      iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
    };
    const t = direction === 'send' ? this.device.createSendTransport(params) : this.device.createRecvTransport(params);
    t.on('connect', ({ dtlsParameters }, ok, fail) => {
      this.sig
        .request('media:connectTransport', { transportId: t.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
        .then(() => ok(), fail);
    });
    if (direction === 'send') {
      t.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
        this.sig
          .request('media:produce', {
            transportId: t.id,
            kind,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
            source: (appData as { source: 'mic' | 'camera' | 'screen' }).source,
          })
          .then(({ producerId }) => ok({ id: producerId }), fail);
      });
    }
    let iceTimer: ReturnType<typeof setTimeout> | undefined;
    t.on('connectionstatechange', (state) => {
      if (state === 'disconnected' || state === 'failed') {
        clearTimeout(iceTimer);
        // Network trouble without a signalling drop: restart ICE while the socket is up.
        iceTimer = setTimeout(() => {
          if (!t.closed && this.sig.socket.connected) void this.restartIce(t).catch(() => undefined);
        }, 1000);
      }
    });
    return t;
  }

  private async consume(a: ProducerAnnouncement, attempt = 0): Promise<void> {
    if (!this.recvTransport || this.pending.has(a.producerId)) return;
    if (this.target.type === 'meeting' && a.peerId === this.peerId) return;
    if (a.kind === 'video' && this.receiveMode === 'audio-only') return;
    if ([...this.remote.values()].some((r) => r.producerId === a.producerId)) return;
    this.pending.add(a.producerId);
    try {
      const info = await this.sig.request('media:consume', { producerId: a.producerId });
      const consumer = await this.recvTransport.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as unknown as types.RtpParameters,
      });
      this.consumers.set(consumer.id, consumer);
      this.remote.set(consumer.id, {
        consumerId: consumer.id,
        producerId: info.producerId,
        peerId: info.peerId,
        kind: info.kind,
        source: info.source,
        track: consumer.track,
        paused: a.paused,
      });
      await this.sig.request('media:resumeConsumer', { consumerId: consumer.id });
      if (info.kind === 'video' && this.receiveMode === 'low') await this.setLayer(consumer.id, 0);
      this.changed();
    } catch (e) {
      console.warn('consume failed', a.producerId, e);
      // Transient during rebuilds (our media not re-added yet): try again while it is still announced.
      if (attempt < 3 && !this.closed) {
        setTimeout(() => {
          if (this.knownProducers.has(a.producerId)) void this.consume(a, attempt + 1);
        }, 1000);
      }
    } finally {
      this.pending.delete(a.producerId);
    }
  }

  private async dropConsumer(consumerId: string, tellServer: boolean): Promise<void> {
    const c = this.consumers.get(consumerId);
    this.consumers.delete(consumerId);
    this.remote.delete(consumerId);
    c?.close();
    if (tellServer) await this.sig.request('media:closeConsumer', { consumerId }).catch(() => undefined);
    this.changed();
  }

  private teardownTransports(): void {
    for (const c of this.consumers.values()) c.close();
    this.consumers.clear();
    this.remote.clear();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
  }

  private teardownLocal(): void {
    this.teardownTransports();
  }
}
