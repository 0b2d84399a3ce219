// The routers of one room: at most one per worker, each filled up to
// maxPeersPerRouter before another worker's router is used. A producer is piped
// to another router the first time a consumer there needs it.
import { AppError } from '@lienthong/kit';
import type { types } from 'mediasoup';
import { ROUTER_CODECS } from './codecs';
import { portRangeOption } from './port-range';
import type { MediaWorkerPool, PooledWorker } from './worker-pool';

export interface RouterSlot {
  workerIndex: number;
  router: types.Router;
  peers: Set<string>;
  /** producerId -> pipe producer on this router (for producers living elsewhere). */
  piped: Map<string, Promise<void>>;
}

class WorkerGoneError extends Error {
  constructor(index: number) {
    super(`worker ${index} died while a router was created`);
  }
}

export class RouterSlots {
  private readonly slots: RouterSlot[] = [];
  private closed = false;
  /** Router choices one at a time: sites rebuilding together after a worker death must not each
   * create a router on the same worker (piping between two routers of one worker clashes on ids). */
  private choosing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly roomId: string,
    private readonly pool: MediaWorkerPool,
    private readonly maxPeersPerRouter: number,
  ) {}

  get count(): number {
    return this.slots.length;
  }

  /** The room's first router, if any (the active-speaker observer lives there). */
  first(): RouterSlot | undefined {
    return this.slots[0];
  }

  firstOrNew(): Promise<RouterSlot> {
    return this.oneAtATime(() => this.onLiveWorker(async () => this.slots[0] ?? (await this.create(new Set()))));
  }

  forNewPeer(): Promise<RouterSlot> {
    return this.oneAtATime(() => this.onLiveWorker(() => this.choose()));
  }

  private oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.choosing.then(fn, fn);
    this.choosing = run.catch(() => undefined);
    return run;
  }

  /**
   * After every worker died, sites rebuilding wait for the first replacement; a worker that dies
   * while a router is made on it is left for another (the room dropped its slots meanwhile).
   */
  private async onLiveWorker(pick: () => Promise<RouterSlot>): Promise<RouterSlot> {
    for (let attempt = 0; ; attempt++) {
      await this.pool.whenLive();
      try {
        return await pick();
      } catch (e) {
        if (!(e instanceof WorkerGoneError) || attempt >= 3) throw e;
      }
    }
  }

  private async choose(): Promise<RouterSlot> {
    const open = this.slots.find((s) => s.peers.size < this.maxPeersPerRouter);
    if (open) return open;
    // At most one router per worker and room: piping between routers of the same
    // worker would clash on producer ids and gains nothing.
    const used = new Set(this.slots.map((s) => s.workerIndex));
    if (this.slots.length === 0 || this.pool.all().some((w) => !used.has(w.index))) return this.create(used);
    return this.slots.reduce((a, b) => (b.peers.size < a.peers.size ? b : a));
  }

  async ensurePiped(producerId: string, from: RouterSlot, to: RouterSlot): Promise<void> {
    if (from === to) return;
    let pending = to.piped.get(producerId);
    if (!pending) {
      pending = from.router
        .pipeToRouter({
          producerId,
          router: to.router,
          listenInfo: { protocol: 'udp', ip: '127.0.0.1', ...portRangeOption() },
        })
        .then(() => undefined);
      to.piped.set(producerId, pending);
      pending.catch(() => to.piped.delete(producerId));
    }
    await pending;
  }

  /** A worker died: its routers are gone. Returns the slots forgotten. */
  dropWorker(index: number): RouterSlot[] {
    const dead = this.slots.filter((s) => s.workerIndex === index);
    for (const slot of dead) this.slots.splice(this.slots.indexOf(slot), 1);
    return dead;
  }

  /** Pipes of producers that no longer exist (they lived on a dead worker) are gone too. */
  forgetPipes(exists: (producerId: string) => boolean): void {
    for (const slot of this.slots) {
      for (const [producerId] of slot.piped) if (!exists(producerId)) slot.piped.delete(producerId);
    }
  }

  close(): void {
    this.closed = true;
    for (const s of this.slots) {
      s.router.close();
      const w = this.pool.get(s.workerIndex);
      if (w) w.routers--;
    }
    this.slots.length = 0;
  }

  private async create(avoidWorkers: ReadonlySet<number>): Promise<RouterSlot> {
    const worker: PooledWorker = this.pool.leastLoaded(avoidWorkers);
    // Never a second router of the room on one worker (pipes keep producer ids: they would clash).
    const existing = this.slots.find((s) => s.workerIndex === worker.index);
    if (existing) return existing;
    let router: types.Router;
    try {
      router = await worker.worker.createRouter({ mediaCodecs: ROUTER_CODECS, appData: { roomId: this.roomId } });
    } catch (e) {
      if (this.pool.get(worker.index) !== worker) throw new WorkerGoneError(worker.index);
      throw e;
    }
    // The worker may have died while the router was made: its death was handled without this slot.
    if (this.pool.get(worker.index) !== worker || worker.worker.closed || router.closed) {
      router.close();
      throw new WorkerGoneError(worker.index);
    }
    if (this.closed) {
      // The room closed while its router was made: nobody would ever close this one.
      router.close();
      throw new AppError('ROOM_CLOSED', 'Room media is closed', 409);
    }
    worker.routers++;
    const slot: RouterSlot = { workerIndex: worker.index, router, peers: new Set(), piped: new Map() };
    this.slots.push(slot);
    return slot;
  }
}
