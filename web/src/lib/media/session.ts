// Browser side of a room's media: one send and one recv transport, simulcast
// camera + Opus (FEC, DTX) microphone, a consumer per remote producer. Recovers
// by itself: ICE restart on network trouble, re-join after a signalling drop,
// full rebuild when the server lost our media (worker restart); reconnect.ts owns that logic.
import type { JoinRes, ProducerAnnouncement, ReceiveMode } from '@lienthong/sfu-server/protocol';
import type { types } from 'mediasoup-client';
import type { SignallingClient } from '../signalling/client';
import { AudioRepair } from './audio-repair';
import { createDevice } from './device';
import type { MediaPath } from './ice-path';
import { KnownProducers } from './producers';
import { Reconnector, type SessionStatus } from './reconnect';
import { MediaPaths } from './relay';
import { SIMULCAST } from './simulcast';
import { makeTransport, restartIce } from './transport';
import { UplinkGuard } from './uplink';

export type { SessionStatus };

type Local = { audio?: MediaStreamTrack; video?: MediaStreamTrack };
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

export class MediaSession {
  readonly device = createDevice();
  peerId: string | null = null;
  status: SessionStatus = 'idle';
  receiveMode: ReceiveMode = 'full';
  readonly remote = new Map<string, RemoteTrack>(); // by consumerId
  lastJoin: JoinRes | null = null;

  private sendTransport: types.Transport | null = null;
  private recvTransport: types.Transport | null = null;
  private readonly producers = new Map<'mic' | 'camera' | 'screen', types.Producer>();
  private readonly consumers = new Map<string, types.Consumer>();
  private pending = new Set<string>(); // producerIds being consumed on the current recv transport
  private local: Local = {};
  private readonly listeners = new Set<() => void>();
  private readonly offs: (() => void)[] = [];
  private readonly known = new KnownProducers();
  private readonly uplink: UplinkGuard;
  private readonly audioRepair = new AudioRepair();
  private readonly reconnector = new Reconnector({
    rejoin: async (lost = !this.sendTransport || !this.recvTransport) => (await this.join(this.peerId ?? undefined, lost)).resumed && !lost,
    restartIce: async () => {
      if (this.sendTransport) await restartIce(this.sig, this.sendTransport);
      if (this.recvTransport) await restartIce(this.sig, this.recvTransport);
      for (const a of this.known.list()) await this.consume(a);
    },
    rebuildMedia: async () => {
      this.teardownTransports();
      await this.buildMedia();
    },
    setStatus: (s) => this.setStatus(s),
    isClosed: () => this.closed,
    graceMs: () => this.lastJoin?.graceMs ?? null,
    mediaAlive: () => this.recvTransport?.connectionState === 'connected',
  });
  private closed = false;
  /** Direct first, then the TURN relay; and which path the media takes now. */
  private readonly paths: MediaPaths;
  /** The user's own choices, re-applied when the media is rebuilt (worker or server restart). */
  private micWanted = true;
  private screenTrack: MediaStreamTrack | null = null;

  constructor(
    private readonly sig: SignallingClient,
    private readonly target: RoomTarget,
  ) {
    this.uplink = new UplinkGuard(sig);
    const transports = () => [this.sendTransport, this.recvTransport].filter((t): t is types.Transport => t !== null);
    this.paths = new MediaPaths(
      sig,
      transports,
      () => this.changed(),
      () => this.closed,
    );
  }

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

  /** `resumePeerId`: this tab's place before a reload. Joining and receiving do not wait for `local` (a reload reopens the camera). */
  async start(local: Local | Promise<Local>, resumePeerId?: string): Promise<JoinRes> {
    this.setStatus('connecting');
    const { routerRtpCapabilities } = await this.sig.request('router:capabilities', {});
    await this.device.load({ routerRtpCapabilities: routerRtpCapabilities as unknown as types.RtpCapabilities });
    this.listen();
    const res = await this.join(resumePeerId, true);
    this.paths.start();
    await this.buildMedia(Promise.resolve(local));
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
      for (const a of this.known.list()) await this.consume(a);
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

  /** UDP, ICE-TCP or a TURN relay (and which transport to it); null while not connected. */
  get mediaPath(): MediaPath | null {
    return this.paths.path;
  }

  async getStats(): Promise<{ send?: RTCStatsReport; recv?: RTCStatsReport }> {
    return { send: await this.sendTransport?.getStats(), recv: await this.recvTransport?.getStats() };
  }

  readonly rejoinAfterGrace = (): Promise<void> => this.reconnector.rejoinNow();
  async close(): Promise<void> {
    this.closed = true;
    this.paths.stop();
    for (const off of this.offs) off();
    this.endScreenTrack();
    if (this.target.type === 'meeting') await this.sig.request('meeting:leave', {}, 3000).catch(() => undefined);
    this.teardownTransports();
    this.setStatus('closed');
  }

  // --- internals

  private async join(resumePeerId: string | undefined, freshMedia: boolean): Promise<JoinRes> {
    const rtpCapabilities = this.device.rtpCapabilities as unknown as Record<string, unknown>;
    this.known.beginJoin();
    const resume = resumePeerId ? { resumePeerId, freshMedia } : {};
    const res =
      this.target.type === 'selftest'
        ? await this.sig.request('selftest:join', { rtpCapabilities })
        : await this.sig.request('meeting:join', { meetingId: this.target.meetingId, rtpCapabilities, ...resume });
    this.peerId = res.peerId;
    this.lastJoin = res;
    this.known.endJoin(res.producers);
    return res;
  }

  private listen(): void {
    this.offs.push(
      this.sig.on('media:newProducer', (a) => {
        this.known.announced(a);
        void this.consume(a);
      }),
      this.sig.on('media:producerClosed', ({ producerId }) => {
        this.known.closed(producerId);
        for (const r of [...this.remote.values()]) if (r.producerId === producerId) void this.dropConsumer(r.consumerId, false);
      }),
      this.sig.on('media:producerPaused', ({ producerId, paused }) => {
        for (const r of this.remote.values()) if (r.producerId === producerId) r.paused = paused;
        this.known.paused(producerId, paused);
        this.changed();
      }),
      this.sig.on('media:consumerClosed', ({ consumerId }) => void this.dropConsumer(consumerId, false)),
      this.sig.on('media:reset', () => void this.reconnector.recover()),
    );
    const onDisconnect = () => this.reconnector.onSignallingDown();
    const onConnect = () => this.reconnector.onSignallingUp();
    this.sig.socket.on('disconnect', onDisconnect);
    this.sig.socket.on('connect', onConnect);
    this.offs.push(
      () => this.sig.socket.off('disconnect', onDisconnect),
      () => this.sig.socket.off('connect', onConnect),
    );
  }

  private async buildMedia(local?: Promise<Local>): Promise<void> {
    const make = (d: 'send' | 'recv') => makeTransport(this.device, this.sig, d, this.paths);
    const [send, recv] = await Promise.all([make('send'), make('recv')]);
    this.sendTransport = send;
    this.recvTransport = recv;
    const receiving = Promise.all(this.known.list().map((a) => this.consume(a))); // while we produce
    this.audioRepair.watch(recv, () => this.consumers.values());
    if (local) this.local = await local;
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
      if (this.target.type === 'meeting' && this.lastJoin?.adaptation !== false) this.uplink.watch(send, p);
      if (this.receiveMode === 'audio-only') {
        p.pause();
        await this.sig.request('media:pauseProducer', { producerId: p.id });
      }
    }
    if (this.screenTrack?.readyState === 'live') {
      // Someone else may have taken the presentation meanwhile: then ours ends.
      await this.produceScreen(send, this.screenTrack).catch(() => this.endScreenTrack());
    }
    await receiving;
    // Everything known now, not only the join reply: announcements that arrived while the
    // transports were being built found no recv transport and were not consumed then.
    await Promise.all(this.known.list().map((a) => this.consume(a)));
  }

  private async consume(a: ProducerAnnouncement, attempt = 0): Promise<void> {
    const { recvTransport: recv, pending } = this;
    if (!recv || pending.has(a.producerId)) return;
    if (this.target.type === 'meeting' && a.peerId === this.peerId) return;
    if (a.kind === 'video' && this.receiveMode === 'audio-only') return;
    if ([...this.remote.values()].some((r) => r.producerId === a.producerId)) return;
    pending.add(a.producerId);
    let made: string | null = null;
    try {
      const info = await this.sig.request('media:consume', { producerId: a.producerId });
      if (recv !== this.recvTransport) return; // rebuilt meanwhile: the new build consumes all known
      const consumer = await recv.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as unknown as types.RtpParameters,
      });
      made = consumer.id;
      this.consumers.set(consumer.id, consumer);
      const { producerId, peerId, kind, source } = info;
      this.remote.set(consumer.id, { consumerId: consumer.id, producerId, peerId, kind, source, track: consumer.track, paused: a.paused });
      await this.sig.request('media:resumeConsumer', { consumerId: consumer.id });
      if (info.kind === 'video' && this.receiveMode === 'low') await this.setLayer(consumer.id, 0);
      this.changed();
    } catch (e) {
      // Its producer closed meanwhile (a site reloading): nothing was lost, nothing to say.
      if (this.known.has(a.producerId)) console.warn('consume failed', a.producerId, e);
      // A consumer left paused on the server (its resume timed out) would block the retry below.
      if (made) await this.dropConsumer(made, true);
      // Transient during rebuilds (our media not re-added yet): try again while it is still announced.
      if (attempt < 3 && !this.closed && recv === this.recvTransport) {
        setTimeout(() => {
          if (this.known.has(a.producerId)) void this.consume(a, attempt + 1);
        }, 1000);
      }
    } finally {
      pending.delete(a.producerId);
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
    this.uplink.stop();
    this.audioRepair.stop();
    for (const c of this.consumers.values()) c.close();
    this.consumers.clear();
    this.pending = new Set(); // consumes in flight belong to the old transports
    this.remote.clear();
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
  }
}
