// A district server's side of the sites it serves: the province runs the meeting and asks this
// server for the media of each peer placed here, one request per call (protocol/cascade-media.ts).
// Only the parent server may ask. Each meeting's media is a MediaRoom joined to the cascade, so the
// district's sites exchange their media here and send each stream toward the province once.
import { AppError, type Logger } from '@lienthong/kit';
import { MediaRoom } from '../media/media-room';
import type { MediaWorkerPool } from '../media/worker-pool';
import type { MediaCall, MediaEvent, PeerReading, StatsAnswer, StatsQuery } from '../protocol/cascade-media';
import type { CascadeRooms } from './cascade-rooms';
import { ReadingsSent } from './stats-delta';

export interface MediaHostDeps {
  pool: MediaWorkerPool;
  logger: Logger;
  rooms: Pick<CascadeRooms, 'attach'>;
  serverId: string;
  /** The only server whose calls are taken. */
  parent: string;
  publish(e: MediaEvent): void;
  /** The peers the parent still places here for a meeting; null when it does not answer (cut off). */
  placed(meetingId: string): Promise<string[] | null>;
  /** How often left-over peers are looked for (default 10 s). */
  sweepEveryMs?: number;
  /** How long the parent must leave a peer out before its media goes (default 30 s). */
  leftOverMs?: number;
  maxPeersPerRouter: number;
  consumersPerPeer?: number;
  /** A peer's media went here (removed by the parent, or left over): its room call's goes too. */
  peerGone?(meetingId: string, peerId: string): void;
}

const LEFT_OVER_MS = 30_000;

export class MediaHost {
  private readonly rooms = new Map<string, MediaRoom>();
  /** Peers the parent did not name, since when: dropped once it has left them out for LEFT_OVER_MS. */
  private readonly unplaced = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  /** What the parent was last sent of each meeting's readings. */
  private readonly sent = new Map<string, ReadingsSent>();

  constructor(private readonly deps: MediaHostDeps) {
    this.sweeper = setInterval(() => void this.sweep(), deps.sweepEveryMs ?? 10_000);
    this.sweeper.unref();
  }

  /**
   * A peer whose removal never arrived (sent while the link was cut, or the province restarted)
   * would keep its media and producers here for ever. The parent is asked which peers it still
   * places here; those it leaves out in every answer for LEFT_OVER_MS go (a page back from a cut has
   * that long to rejoin first). Nothing is dropped while it does not answer, and the time starts again.
   */
  async sweep(now = Date.now()): Promise<void> {
    for (const [meetingId, room] of [...this.rooms]) {
      const peers = room.peerIds();
      if (peers.length === 0) continue;
      const placed = await this.deps.placed(meetingId);
      if (placed === null) {
        for (const key of [...this.unplaced.keys()]) if (key.startsWith(`${meetingId}/`)) this.unplaced.delete(key);
        continue;
      }
      const keep = new Set(placed);
      for (const peerId of peers) {
        const key = `${meetingId}/${peerId}`;
        const since = this.unplaced.get(key);
        if (keep.has(peerId)) this.unplaced.delete(key);
        else if (since === undefined) this.unplaced.set(key, now);
        else if (now - since >= (this.deps.leftOverMs ?? LEFT_OVER_MS)) {
          this.unplaced.delete(key);
          this.deps.logger.info({ meetingId, peerId }, 'dropping media the province no longer places here');
          room.removePeer(peerId);
          this.deps.peerGone?.(meetingId, peerId);
        }
      }
      if (room.peerCount === 0) room.close();
    }
  }

  /** A meeting's media here (room-system calls open on it). */
  roomOf(meetingId: string): MediaRoom | undefined {
    return this.rooms.get(meetingId);
  }

  /** Peers whose media is here, per meeting (tests, health). */
  peers(meetingId: string): number {
    return this.rooms.get(meetingId)?.peerCount ?? 0;
  }

  async handle(call: MediaCall, from: string): Promise<{ result: unknown }> {
    if (from !== this.deps.parent) throw new AppError('CASCADE_NOT_PARENT', `${from} is not this server's parent`, 403);
    const room = call.op === 'addPeer' ? this.roomFor(call.meetingId) : this.rooms.get(call.meetingId);
    if (!room) throw new AppError('NOT_IN_ROOM', 'No media of that meeting here', 409);
    return { result: (await this.run(room, call)) ?? null };
  }

  /** Every hosted peer's link and quality reading for a meeting (the parent asks once a second). */
  async stats(q: StatsQuery, from: string): Promise<StatsAnswer> {
    if (from !== this.deps.parent) throw new AppError('CASCADE_NOT_PARENT', `${from} is not this server's parent`, 403);
    const room = this.rooms.get(q.meetingId);
    if (!room) {
      this.sent.delete(q.meetingId);
      return { seq: 1, peers: [] };
    }
    const peers = await Promise.all(
      room.peerIds().map(async (peerId) => ({
        peerId,
        recvLink: await room.recvLink(peerId).catch(() => null),
        stats: await room.peerStats(peerId).catch(() => null),
      })),
    );
    const sent = this.sent.get(q.meetingId) ?? new ReadingsSent();
    this.sent.set(q.meetingId, sent);
    return sent.answer(q.known, peers as PeerReading[]);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const r of this.rooms.values()) r.close();
    this.rooms.clear();
  }

  private async run(room: MediaRoom, c: MediaCall): Promise<unknown> {
    const p = c.peerId;
    switch (c.op) {
      case 'addPeer':
        return room.addPeer(p);
      case 'removePeer':
        room.removePeer(p);
        this.deps.peerGone?.(c.meetingId, p);
        if (room.peerCount === 0) room.close();
        return null;
      case 'setRtpCapabilities':
        return room.setRtpCapabilities(p, c.caps);
      case 'createTransport':
        return room.createTransport(p, c.direction);
      case 'connectTransport':
        return room.connectTransport(p, c.transportId, c.dtlsParameters);
      case 'restartIce':
        return room.restartIce(p, c.transportId);
      case 'produce':
        return room.produce(p, c.transportId, c.kind, c.rtpParameters, c.source);
      case 'closeProducer':
        return room.closeProducer(p, c.producerId);
      case 'setProducerPaused':
        return room.setProducerPaused(p, c.producerId, c.paused);
      case 'consume':
        return room.consume(p, c.producerId);
      case 'resumeConsumer':
        return room.resumeConsumer(p, c.consumerId);
      case 'setConsumerLayers':
        return room.setConsumerLayers(p, c.consumerId, c.spatialLayer, c.temporalLayer);
      case 'closeConsumer':
        return room.closeConsumer(p, c.consumerId);
      case 'shedVideo':
        return room.shedVideo(p, c.actions);
    }
  }

  private roomFor(meetingId: string): MediaRoom {
    const known = this.rooms.get(meetingId);
    if (known) return known;
    const room = new MediaRoom(`meeting:${meetingId}`, {
      pool: this.deps.pool,
      logger: this.deps.logger.child({ room: meetingId }),
      maxPeersPerRouter: this.deps.maxPeersPerRouter,
      ...(this.deps.consumersPerPeer ? { consumersPerPeer: this.deps.consumersPerPeer } : {}),
    });
    this.rooms.set(meetingId, room);
    this.deps.rooms.attach(meetingId, room);
    const tell = (event: MediaEvent['event'], peerId: string, consumerId?: string) =>
      this.deps.publish({ meetingId, origin: this.deps.serverId, event, peerId, ...(consumerId ? { consumerId } : {}) });
    room.on('consumerClosed', (peerId, consumerId) => tell('consumerClosed', peerId, consumerId));
    room.on('peerMediaReset', (peerId) => tell('peerMediaReset', peerId));
    room.once('closed', () => {
      if (this.rooms.get(meetingId) === room) {
        this.rooms.delete(meetingId);
        this.sent.delete(meetingId);
      }
    });
    return room;
  }
}
