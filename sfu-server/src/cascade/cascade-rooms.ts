// Joins this server's meeting rooms to the cascade. A room publishes the producers made here and
// offers those of the other servers to its peers; copies arrive in the room's first router. A meeting
// this server only relays (no peer of its own, a province between two districts) gets a relay router.
import { AppError } from '@lienthong/kit';
import type { types } from 'mediasoup';
import { ROUTER_CODECS } from '../media/codecs';
import type { MediaRoom } from '../media/media-room';
import { announcementOf } from '../media/remote-producers';
import type { MediaWorkerPool } from '../media/worker-pool';
import type { ProducerEvent } from '../protocol/cascade';
import type { CascadeNode } from './cascade-node';
import type { CascadeLinks } from './links';

interface Relay {
  router: Promise<{ router: types.Router; workerIndex: number }>;
}

export class CascadeRooms {
  private readonly rooms = new Map<string, MediaRoom>();
  private readonly relays = new Map<string, Relay>();
  private node?: CascadeNode;

  private links!: Pick<CascadeLinks, 'dropMeeting'>;

  constructor(private readonly pool: MediaWorkerPool) {}

  /** The router of a meeting where links end and copies arrive (CascadeLinks' and CascadeNode's routerOf). */
  routerOf = async (meetingId: string): Promise<types.Router> => {
    const room = this.rooms.get(meetingId);
    if (room) return room.cascadeRouter();
    let relay = this.relays.get(meetingId);
    if (!relay) {
      relay = { router: this.newRelay(meetingId) };
      this.relays.set(meetingId, relay);
      relay.router.catch(() => this.relays.delete(meetingId));
    }
    const { router } = await relay.router;
    if (router.closed) {
      this.relays.delete(meetingId);
      throw new AppError('CASCADE_RETRY', 'the relay router closed, retry', 503);
    }
    return router;
  };

  bind(node: CascadeNode, links: Pick<CascadeLinks, 'dropMeeting'>): void {
    this.node = node;
    this.links = links;
    node.onRemoteEvent = (e) => this.remoteEvent(e);
    node.onAvailable = (producer) => {
      for (const room of this.rooms.values()) room.remoteAvailable(producer.id);
    };
  }

  /** A meeting's room opened here (before any peer): it takes part in the cascade until it closes. */
  attach(meetingId: string, room: MediaRoom): void {
    const node = this.node;
    if (!node) return;
    this.rooms.set(meetingId, room);
    // Links on a relay router move to the room's: dropped here, both sides pull again within a second or two.
    const relay = this.relays.get(meetingId);
    this.relays.delete(meetingId);
    if (relay) void this.closeRelay(meetingId, relay);
    node.join(meetingId);
    room.attachCascade({
      publish: (producer, appData) => node.publish(meetingId, producer, appData),
      watch: (producerId, watcherId, layer) => node.watch(producerId, watcherId, layer),
      unwatch: (producerId, watcherId) => node.unwatch(producerId, watcherId),
    });
    for (const e of node.remoteProducers(meetingId)) this.remoteEvent({ ...e, event: 'announce' });
    room.once('closed', () => {
      if (this.rooms.get(meetingId) !== room) return;
      this.rooms.delete(meetingId);
      void node.leave(meetingId);
    });
  }

  /** Relays of meetings that ended here: nothing crosses them any more. */
  private async closeRelay(meetingId: string, relay: Relay): Promise<void> {
    await this.links.dropMeeting(meetingId);
    const made = await relay.router.catch(() => undefined);
    if (made && !made.router.closed) {
      made.router.close();
      const w = this.pool.get(made.workerIndex);
      if (w) w.routers--;
    }
  }

  private remoteEvent(e: ProducerEvent): void {
    const room = this.rooms.get(e.meetingId);
    if (!room) return;
    if (e.event !== 'announce') {
      room.remoteChange({ type: e.event, producerId: e.producerId });
      return;
    }
    const copy = this.node?.remoteCopy(e.producerId);
    const a = announcementOf(e.producerId, e.kind, copy?.paused ?? false, e.appData);
    if (a) room.remoteChange({ type: 'announce', producer: a });
  }

  private async newRelay(meetingId: string): Promise<{ router: types.Router; workerIndex: number }> {
    const worker = this.pool.leastLoaded(new Set());
    const router = await worker.worker.createRouter({ mediaCodecs: ROUTER_CODECS, appData: { roomId: `relay:${meetingId}` } });
    worker.routers++;
    return { router, workerIndex: worker.index };
  }
}
