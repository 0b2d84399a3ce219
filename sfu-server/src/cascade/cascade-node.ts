// This server's part in cascaded meetings. It tells the other servers which producers start here,
// pulls a remote producer from the neighbour on the path toward its origin when someone here (a
// local consumer, or a link further on) watches it, and sends its own and relayed producers to
// neighbours that pull them. A stream crosses each link once, at the top layer wanted beyond it.
import { randomUUID } from 'node:crypto';
import { AppError } from '@lienthong/kit';
import type { NeighbourHealth } from '@lienthong/kit/contracts';
import type { types } from 'mediasoup';
import { type DemandAction, DemandLedger, type DemandTimers } from '../domain/cascade/demand';
import { EmptyAnswer, LayerChange, PingAnswer, type ProducerEvent, Pull, PullAnswer, Release, type Roster } from '../protocol/cascade';
import type { CascadeBus } from './bus';
import type { CascadeLinks, RouterOf } from './links';
import { type NeighbourOptions, type NeighbourState, Neighbours } from './neighbours';
import { RosterKeeper } from './roster';

export interface CascadeNodeDeps {
  bus: CascadeBus;
  links: CascadeLinks;
  routerOf: RouterOf;
  /** The neighbour on the server-tree path toward `origin`; null when unknown or this server. */
  nextHop: (origin: string) => string | null;
  /** The servers linked to this one in the server tree, and which of them is its parent. */
  neighbours: readonly string[];
  parent: string | null;
  timers?: DemandTimers;
  releaseAfterMs?: number;
  rosterEveryMs?: number;
  ping?: NeighbourOptions;
  log?: (msg: string) => void;
}

interface Remote {
  event: ProducerEvent;
  producer?: types.Producer;
  /** Settles when the pull in progress has produced it here. */
  arriving?: Promise<types.Producer>;
  via?: string;
}

const linkWatcher = (peer: string) => `link:${peer}`;
const PULL_RETRY_MS = 1000;

export class CascadeNode {
  private readonly local = new Map<string, { meetingId: string; producer: types.Producer }>();
  private readonly remote = new Map<string, Remote>();
  /** Consumers on link transports, sending a producer to a neighbour: `${producerId}/${peer}`. */
  private readonly sending = new Map<string, types.Consumer>();
  private readonly meetings = new Map<string, () => void>();
  private readonly published = new Map<string, Record<string, unknown>>();
  private readonly demand: DemandLedger;
  private readonly roster: RosterKeeper;
  private readonly neighbours: Neighbours;
  /** This run of the server: neighbours see a restart as a new id. */
  readonly bootId = randomUUID();
  /** Times each neighbour was dropped here (it may not have seen the link down: one-sided misses, at start). */
  private readonly dropped = new Map<string, number>();
  /** Producers of other servers appearing, changing state or going. */
  onRemoteEvent: (e: ProducerEvent) => void = () => {};
  /** A remote producer has (again) a copy on this server that local consumers can consume. */
  onAvailable: (producer: types.Producer) => void = () => {};
  /** A neighbour came up or went down; `isolated()` may have changed. */
  onNeighbour: (peer: string, state: NeighbourState) => void = () => {};

  constructor(private readonly deps: CascadeNodeDeps) {
    this.demand = new DemandLedger((a) => this.act(a), deps.timers, deps.releaseAfterMs);
    deps.bus.serve('pull', Pull, (p) => this.servePull(p));
    deps.bus.serve('layer', LayerChange, async (l) => {
      this.requireWatched(l.producerId, l.from);
      const consumer = this.sending.get(`${l.producerId}/${l.from}`);
      if (consumer?.type === 'simulcast') await consumer.setPreferredLayers({ spatialLayer: l.spatialLayer });
      if (this.remote.has(l.producerId)) this.demand.want(l.producerId, linkWatcher(l.from), l.spatialLayer);
      return {};
    });
    deps.bus.serve('release', Release, async (r) => {
      this.requireWatched(r.producerId, r.from);
      this.sending.get(`${r.producerId}/${r.from}`)?.close();
      this.sending.delete(`${r.producerId}/${r.from}`);
      this.demand.drop(r.producerId, linkWatcher(r.from));
      return {};
    });
    // Once this server dropped a neighbour, that one sees a new id, as after a restart, and pulls again.
    deps.bus.serve('ping', EmptyAnswer, async (_q, from) => ({ bootId: `${this.bootId}.${this.dropped.get(from) ?? 0}` }));
    deps.links.onClosed = (meetingId, peer) => this.linkClosed(meetingId, peer);
    this.roster = new RosterKeeper(
      deps.bus,
      {
        own: (meetingId) => this.ownRoster(meetingId),
        known: (meetingId) => this.remoteProducers(meetingId).map((e) => ({ producerId: e.producerId, origin: e.origin })),
        apply: (e) => this.onEvent(e),
      },
      deps.rosterEveryMs,
    );
    this.neighbours = new Neighbours(
      deps.bus,
      { up: (p) => this.neighbourUp(p), down: (p, restarted) => this.neighbourDown(p, restarted) },
      deps.ping,
    );
    this.neighbours.watch(deps.neighbours);
  }

  /** Cut off from the parent server: the subtree meets on its own until the link returns. */
  isolated(): boolean {
    return this.deps.parent !== null && this.neighbours.state(this.deps.parent) === 'down';
  }

  neighbourStates(): Record<string, NeighbourState> {
    return this.neighbours.all();
  }

  /** Each neighbour's state, since when, last round trip and missed pings (for the NMS and metrics). */
  neighbourHealth(): NeighbourHealth[] {
    return this.neighbours.health();
  }

  /** Media bytes over the links to each neighbour in all meetings, received (rx) and sent (tx). */
  bytesByNeighbour(): Promise<Map<string, { rx: number; tx: number }>> {
    return this.deps.links.bytesByPeer();
  }

  stop(): void {
    this.neighbours.stop();
    this.roster.stop();
  }

  get serverId(): string {
    return this.deps.bus.serverId;
  }

  /** Take part in a meeting: learn the producers of the other servers. */
  join(meetingId: string): void {
    if (this.meetings.has(meetingId)) return;
    this.meetings.set(
      meetingId,
      this.deps.bus.onProducerEvents(meetingId, (e) => this.onEvent(e)),
    );
    this.roster.join(meetingId);
  }

  async leave(meetingId: string): Promise<void> {
    this.meetings.get(meetingId)?.();
    this.meetings.delete(meetingId);
    this.roster.leave(meetingId);
    for (const [id, r] of this.remote) if (r.event.meetingId === meetingId) this.forgetRemote(id);
    await this.deps.links.dropMeeting(meetingId);
  }

  /** A producer made on this server: announce it, and keep the others told of its state. */
  publish(meetingId: string, producer: types.Producer, appData: Record<string, unknown> = {}): void {
    this.join(meetingId);
    this.local.set(producer.id, { meetingId, producer });
    this.published.set(producer.id, appData);
    const send = (event: ProducerEvent['event']) =>
      this.deps.bus.publish({ meetingId, origin: this.serverId, producerId: producer.id, event, kind: producer.kind, appData });
    send('announce');
    producer.observer.on('pause', () => send('pause'));
    producer.observer.on('resume', () => send('resume'));
    producer.observer.once('close', () => {
      this.local.delete(producer.id);
      this.published.delete(producer.id);
      send('close');
    });
  }

  /** The producers of other servers this server knows of in a meeting. */
  remoteProducers(meetingId: string): ProducerEvent[] {
    return [...this.remote.values()].filter((r) => r.event.meetingId === meetingId).map((r) => r.event);
  }

  /** The copy of a remote producer on this server, while one is here. */
  remoteCopy(producerId: string): types.Producer | undefined {
    const p = this.remote.get(producerId)?.producer;
    return p && !p.closed ? p : undefined;
  }

  /** Someone here watches a remote producer at a layer: resolves to its copy on this server. */
  async watch(producerId: string, watcherId: string, spatialLayer = 0): Promise<types.Producer> {
    const r = this.remote.get(producerId);
    if (!r) throw new AppError('CASCADE_UNKNOWN_PRODUCER', `no server announced producer ${producerId}`, 404);
    this.demand.want(producerId, watcherId, r.event.kind === 'audio' ? 0 : spatialLayer);
    const cur = this.remote.get(producerId);
    if (cur?.producer && !cur.producer.closed) return cur.producer;
    if (!cur?.arriving) throw new AppError('CASCADE_UNKNOWN_PRODUCER', `producer ${producerId} is gone`, 404);
    return cur.arriving;
  }

  unwatch(producerId: string, watcherId: string): void {
    this.demand.drop(producerId, watcherId);
  }

  /** Whether a server answers over the bus now. */
  async reaches(server: string): Promise<boolean> {
    return this.deps.bus.request(server, 'ping', {}, PingAnswer).then(
      () => true,
      () => false,
    );
  }

  /** How many bytes crossed each link of a meeting, per direction (from the link transports). */
  async linkBytes(meetingId: string, peer: string): Promise<{ sent: number; received: number }> {
    const t = await this.deps.links.current(meetingId, peer);
    const stats = t ? await t.getStats() : [];
    return { sent: stats[0]?.bytesSent ?? 0, received: stats[0]?.bytesReceived ?? 0 };
  }

  private onEvent(e: ProducerEvent): void {
    // A producer of this server is never taken for a remote one, whoever claims it.
    if (this.local.has(e.producerId)) return;
    this.roster.heardFrom(e.meetingId, e.origin);
    const r = this.remote.get(e.producerId);
    if (e.event === 'announce') {
      if (!r) this.remote.set(e.producerId, { event: e });
      this.onRemoteEvent(e);
      return;
    }
    if (!r) return;
    r.event = { ...r.event, event: e.event };
    if (e.event === 'close') this.forgetRemote(e.producerId);
    else if (e.event === 'pause') void r.producer?.pause();
    else void r.producer?.resume();
    this.onRemoteEvent(e);
  }

  private forgetRemote(producerId: string): void {
    const r = this.remote.get(producerId);
    this.remote.delete(producerId);
    this.demand.forget(producerId);
    r?.producer?.close();
  }

  private act(a: DemandAction): void {
    const r = this.remote.get(a.producerId);
    if (!r) return;
    if (a.type === 'pull') {
      const arriving = this.pull(r, a.spatialLayer);
      r.arriving = arriving;
      arriving.catch((err) => {
        this.deps.log?.(`cascade: pull of ${a.producerId} failed: ${(err as Error).message}`);
        if (r.arriving === arriving) r.arriving = undefined;
        this.pullAgainLater(a.producerId);
      });
      return;
    }
    const hop = r.via;
    if (!hop) return;
    const body = { meetingId: r.event.meetingId, from: this.serverId, producerId: a.producerId };
    if (a.type === 'layer') {
      void this.deps.bus.request(hop, 'layer', { ...body, spatialLayer: a.spatialLayer }, EmptyAnswer).catch(() => undefined);
    } else {
      r.producer?.close();
      r.producer = undefined;
      r.arriving = undefined;
      void this.deps.bus.request(hop, 'release', body, EmptyAnswer).catch(() => undefined);
    }
  }

  /** A failed pull is tried again while someone here still watches (the far side may be restarting). */
  private pullAgainLater(producerId: string): void {
    const t = setTimeout(() => {
      const r = this.remote.get(producerId);
      if (r && !r.producer && !r.arriving && this.demand.watchers(producerId).length > 0) this.demand.repull(producerId);
    }, PULL_RETRY_MS);
    t.unref();
  }

  /** Ask the next hop toward the origin for the stream; produce it here with the same id. */
  private async pull(r: Remote, spatialLayer: number): Promise<types.Producer> {
    const { meetingId, producerId, origin } = r.event;
    const hop = this.deps.nextHop(origin);
    if (!hop) throw new AppError('CASCADE_NO_ROUTE', `no route from ${this.serverId} toward ${origin}`, 502);
    const link = await this.deps.links.ensure(meetingId, hop);
    const answer = await this.deps.bus.request(hop, 'pull', { meetingId, from: this.serverId, producerId, spatialLayer }, PullAnswer);
    if (this.remote.get(producerId) !== r) throw new AppError('CASCADE_UNKNOWN_PRODUCER', `producer ${producerId} closed meanwhile`, 404);
    const producer = await link.produce({
      id: producerId,
      kind: answer.kind,
      rtpParameters: answer.rtpParameters as unknown as types.RtpParameters,
      paused: answer.paused,
      appData: { ...answer.appData, cascadeFrom: hop, origin },
    });
    r.producer = producer;
    r.via = hop;
    this.onAvailable(producer);
    return producer;
  }

  /** A neighbour pulls a producer that starts here or reaches here from elsewhere. */
  private async servePull(p: Pull): Promise<PullAnswer> {
    const own = this.local.get(p.producerId);
    let producer: types.Producer;
    let appData: Record<string, unknown>;
    if (own) {
      if (own.meetingId !== p.meetingId)
        throw new AppError('CASCADE_UNKNOWN_PRODUCER', `producer ${p.producerId} is not in that meeting`, 404);
      producer = own.producer;
      // What it was published with (its site's peer id): the far side's speaker detection names it.
      appData = this.published.get(p.producerId) ?? {};
    } else {
      const r = this.remote.get(p.producerId);
      if (!r || r.event.meetingId !== p.meetingId) {
        // A meeting this server only relays: hear its rosters from now on; the asker pulls again.
        this.join(p.meetingId);
        throw new AppError('CASCADE_UNKNOWN_PRODUCER', `unknown producer ${p.producerId}`, 404);
      }
      // Never send a stream back toward where it came from.
      if (this.deps.nextHop(r.event.origin) === p.from) throw new AppError('CASCADE_LOOP', `${p.from} is on the way to the origin`, 409);
      producer = await this.watch(p.producerId, linkWatcher(p.from), p.spatialLayer);
      appData = r.event.appData;
    }
    const link = await this.deps.links.ensure(p.meetingId, p.from);
    const k = `${p.producerId}/${p.from}`;
    this.sending.get(k)?.close();
    const router = await this.deps.routerOf(p.meetingId);
    const consumer = await link.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      ...(producer.kind === 'video' ? { preferredLayers: { spatialLayer: p.spatialLayer } } : {}),
    });
    this.sending.set(k, consumer);
    consumer.observer.once('close', () => {
      if (this.sending.get(k) === consumer) this.sending.delete(k);
    });
    return {
      kind: consumer.kind,
      rtpParameters: oneStream(consumer.rtpParameters) as unknown as Record<string, unknown>,
      paused: producer.paused,
      appData,
    };
  }

  private requireWatched(producerId: string, peer: string): void {
    if (!this.sending.has(`${producerId}/${peer}`))
      throw new AppError('CASCADE_NOT_SENDING', `nothing of ${producerId} is sent to ${peer}`, 404);
  }

  private ownRoster(meetingId: string): Roster['producers'] {
    return [...this.local.values()]
      .filter((l) => l.meetingId === meetingId)
      .map(({ producer }) => ({
        producerId: producer.id,
        kind: producer.kind,
        paused: producer.paused,
        appData: this.published.get(producer.id) ?? {},
      }));
  }

  /** A neighbour answers again (or restarted): pull again what is watched here and comes through it. */
  private neighbourUp(peer: string): void {
    this.deps.log?.(`cascade: ${peer} is up`);
    for (const meetingId of this.meetings.keys()) this.roster.send(meetingId);
    for (const [id, r] of this.remote) {
      if (!r.producer && !r.arriving && this.deps.nextHop(r.event.origin) === peer) this.demand.repull(id);
    }
    this.onNeighbour(peer, 'up');
  }

  /** A neighbour stopped answering: drop the links to it; what came over them is pulled again on its return. */
  private neighbourDown(peer: string, restarted: boolean): void {
    this.deps.log?.(`cascade: ${peer} is down`);
    // Seen as a new id, it restarted or dropped what it sent here: it knows already, and telling it would echo.
    if (!restarted) this.dropped.set(peer, (this.dropped.get(peer) ?? 0) + 1);
    void this.deps.links.dropPeer(peer);
    for (const k of [...this.sending.keys()]) {
      if (!k.endsWith(`/${peer}`)) continue;
      this.sending.get(k)?.close();
      this.sending.delete(k);
      this.demand.drop(k.slice(0, -peer.length - 1), linkWatcher(peer));
    }
    this.onNeighbour(peer, 'down');
  }

  /** A link died: what came over it is gone; what we pulled over it is pulled again when possible. */
  private linkClosed(meetingId: string, peer: string): void {
    for (const [id, r] of this.remote) {
      if (r.event.meetingId !== meetingId || r.via !== peer) continue;
      r.producer = undefined;
      r.arriving = undefined;
      r.via = undefined;
      this.pullAgainLater(id);
    }
    for (const [k, c] of [...this.sending]) {
      if (!k.endsWith(`/${peer}`) || !c.closed) continue;
      this.sending.delete(k);
      this.demand.drop(k.slice(0, -peer.length - 1), linkWatcher(peer));
    }
  }
}

/**
 * A simulcast consumer describes its one stream with the sender's spatial layers ("L3T3"); across the
 * link it is a single stream: keep its temporal layers, so the far side can still thin the frame rate.
 */
function oneStream(p: types.RtpParameters): types.RtpParameters {
  const encodings = (p.encodings ?? []).map((e) => {
    const temporal = /T(\d+)/.exec(e.scalabilityMode ?? '')?.[1];
    const { scalabilityMode: _s, ...rest } = e;
    return temporal ? { ...rest, scalabilityMode: `L1T${temporal}` } : rest;
  });
  return { ...p, encodings };
}
