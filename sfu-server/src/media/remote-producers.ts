// Producers of other media servers in a cascaded meeting, as this room's peers see them: announced
// like local ones, and consumed from their copy on this server, which the cascade pulls only while
// someone here watches. mediasoup objects only; the cascade itself is behind RoomCascade.
import { AppError } from '@lienthong/kit';
import type { types } from 'mediasoup';
import type { MediaSource, ProducerAnnouncement } from '../protocol/media';

/** What a room needs of the cascade (cascade/cascade-rooms.ts adapts a CascadeNode to it). */
export interface RoomCascade {
  /** A producer made here: tell the other servers of the meeting, with what their peers need to show it. */
  publish(producer: types.Producer, appData: { peerId: string; source: MediaSource }): void;
  /** Someone here watches a remote producer at a layer: resolves to its copy in the room's cascade router. */
  watch(producerId: string, watcherId: string, spatialLayer: number): Promise<types.Producer>;
  unwatch(producerId: string, watcherId: string): void;
}

/** A change of a remote producer, as the cascade hears it from the producer's origin server. */
export type RemoteChange =
  | { type: 'announce'; producer: ProducerAnnouncement }
  | { type: 'pause' | 'resume' | 'close'; producerId: string };

export interface RemoteEvents {
  added(a: ProducerAnnouncement): void;
  paused(producerId: string, peerId: string, paused: boolean): void;
  closed(producerId: string, peerId: string): void;
}

const watcher = (peerId: string) => `peer:${peerId}`;
const COPY_WAIT_MS = 8000;

/** The appData a producer's origin publishes, read back on another server (checked: it crossed the WAN). */
export function announcementOf(
  producerId: string,
  kind: 'audio' | 'video',
  paused: boolean,
  appData: Record<string, unknown>,
): ProducerAnnouncement | null {
  const { peerId, source } = appData;
  if (typeof peerId !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(peerId)) return null;
  if (source !== 'mic' && source !== 'camera' && source !== 'screen') return null;
  return { producerId, peerId, kind, source, paused };
}

export class RemoteProducers {
  private readonly known = new Map<string, ProducerAnnouncement>();
  /** What each local peer watches, so that all of it is let go when the peer leaves. */
  private readonly watching = new Map<string, Set<string>>();
  private cascade?: RoomCascade;
  private readonly handedOut = new WeakSet<types.Producer>();

  constructor(private readonly events: RemoteEvents) {}

  attach(cascade: RoomCascade): void {
    this.cascade = cascade;
  }

  get attached(): RoomCascade | undefined {
    return this.cascade;
  }

  apply(change: RemoteChange): void {
    if (change.type === 'announce') {
      const a = change.producer;
      const had = this.known.get(a.producerId);
      this.known.set(a.producerId, a);
      // Announced again (its copy came back after a cut): peers consume it again.
      if (!had || had.paused === a.paused) this.events.added(a);
      else this.events.paused(a.producerId, a.peerId, a.paused);
      return;
    }
    const a = this.known.get(change.producerId);
    if (!a) return;
    if (change.type === 'close') {
      this.known.delete(change.producerId);
      this.events.closed(a.producerId, a.peerId);
      return;
    }
    a.paused = change.type === 'pause';
    this.events.paused(a.producerId, a.peerId, a.paused);
  }

  /** A copy is (again) on this server: tell the peers, who consume it anew if they lost it. */
  available(producerId: string): void {
    const a = this.known.get(producerId);
    if (a) this.events.added(a);
  }

  list(): ProducerAnnouncement[] {
    return [...this.known.values()].map((a) => ({ ...a }));
  }

  get(producerId: string): ProducerAnnouncement | undefined {
    return this.known.get(producerId);
  }

  /**
   * A producer the meeting's signalling already told a peer of may reach this server's cascade a
   * moment later (a district hears the province's producers over the WAN): wait for it a little.
   */
  async whenKnown(producerId: string, ms: number): Promise<ProducerAnnouncement | undefined> {
    if (!this.cascade) return undefined;
    const end = Date.now() + ms;
    while (!this.known.has(producerId) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return this.known.get(producerId);
  }

  /** The copy a peer consumes; its demand stays while the peer consumes it (and across a cut link). */
  async copyFor(producerId: string, peerId: string, spatialLayer: number): Promise<types.Producer> {
    const cascade = this.cascade;
    if (!cascade || !this.known.has(producerId)) throw new AppError('PRODUCER_NOT_FOUND', 'No such producer in this room', 404);
    const mine = this.watching.get(peerId) ?? new Set<string>();
    this.watching.set(peerId, mine.add(producerId));
    // A first pull may fail while the far side is still learning of the meeting: the cascade pulls
    // again each second; wait for it a while, as long as the producer still exists.
    const until = Date.now() + COPY_WAIT_MS;
    for (;;) {
      try {
        return await cascade.watch(producerId, watcher(peerId), spatialLayer);
      } catch (err) {
        if (!this.known.has(producerId) || Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  /** A copy not handed to this watcher before (one pulled again after a cut is new); undefined otherwise. */
  async newCopyFor(producerId: string, watcherId: string): Promise<types.Producer | undefined> {
    const copy = await this.copyFor(producerId, watcherId, 0).catch(() => undefined);
    if (!copy || this.handedOut.has(copy)) return undefined;
    this.handedOut.add(copy);
    return copy;
  }

  /** The layer a peer wants of a remote producer: what crosses the link follows the highest wanted. */
  layer(producerId: string, peerId: string, spatialLayer: number): void {
    if (this.known.has(producerId)) void this.cascade?.watch(producerId, watcher(peerId), spatialLayer).catch(() => undefined);
  }

  /** The peer stopped consuming it (closed, left, or its transport went). */
  done(producerId: string, peerId: string): void {
    this.watching.get(peerId)?.delete(producerId);
    this.cascade?.unwatch(producerId, watcher(peerId));
  }

  peerGone(peerId: string): void {
    for (const producerId of this.watching.get(peerId) ?? []) this.cascade?.unwatch(producerId, watcher(peerId));
    this.watching.delete(peerId);
  }

  clear(): void {
    for (const peerId of [...this.watching.keys()]) this.peerGone(peerId);
    this.known.clear();
  }
}

/** Calls `done` when a consumer closes for any reason but its producer closing. */
export function watchUntilDone(consumer: types.Consumer, done: () => void): void {
  let producerClosed = false;
  consumer.once('producerclose', () => {
    producerClosed = true;
  });
  consumer.observer.once('close', () => {
    if (!producerClosed) done();
  });
}
