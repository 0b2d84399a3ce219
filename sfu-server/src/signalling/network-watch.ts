// What the network says about sites whose quality is down, for the chair and console operators.
// Every interval: the codes of every site in a live meeting go to nms (which raises alerts on
// their paths), its answer becomes a cause per site whose grade is fair or poor (domain rule),
// and each meeting's causes go to its chair-power holders when they change or a holder's socket
// has not had them yet. nms not answering gives `available: false`, never a stale cause.
import type { Logger } from '@lienthong/kit';
import { hasConsole } from '../domain/floor/authority';
import { needsCause, networkCause, pathChanges, type SitePath, sameCause } from '../domain/live/network-cause';
import type { NetworkEvent } from '../domain/live/quality-log';
import type { NetworkCause, RoomNetwork } from '../protocol';
import type { Conference } from './conference';
import type { LiveRoom } from './live-room';

interface Sent {
  network: RoomNetwork;
  sockets: Set<string>;
}

export class NetworkWatch {
  private readonly sent = new WeakMap<LiveRoom, Sent>();
  /** Per room and site: the state of each link on its path at the last answer (the report marks changes). */
  private readonly seen = new WeakMap<LiveRoom, Map<string, Map<string, string>>>();
  private running = false;
  /** nms was last told that no site is live (or never told anything): no need to say it again. */
  private toldNone = true;
  /** nms did not answer last time: said once in the log, not every interval. */
  private failing = false;

  constructor(
    private readonly conference: Conference,
    private readonly ask: (siteCodes: string[]) => Promise<SitePath[]>,
    private readonly logger: Logger,
    /** Keeps a change of a link on a site's path for the quality report (none: not kept). */
    private readonly record?: (e: NetworkEvent) => void,
  ) {}

  /** Runs a watch every `everyMs`; returns its stop. */
  static start(
    conference: Conference,
    ask: NetworkWatch['ask'],
    logger: Logger,
    record?: (e: NetworkEvent) => void,
    everyMs = 5000,
  ): () => void {
    const watch = new NetworkWatch(conference, ask, logger.child({ component: 'network-watch' }), record);
    const timer = setInterval(() => void watch.tick(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async tick(): Promise<void> {
    if (this.running) return; // nms slower than the interval: skip, do not pile up
    this.running = true;
    try {
      const rooms = [...this.conference.rooms.values()].filter((r) => r.live);
      const codes = [...new Set(rooms.flatMap((r) => r.live!.list().map((p) => p.siteCode)))];
      if (codes.length === 0 && this.toldNone) return;
      let paths: Map<string, SitePath> | null = null;
      // An empty list is sent once: nms learns that no site is live any more.
      try {
        paths = new Map((await this.ask(codes)).map((p) => [p.code, p]));
        this.toldNone = codes.length === 0;
        if (this.failing) this.logger.info('nms answers about the network of live sites again');
        this.failing = false;
      } catch (e) {
        if (!this.failing) this.logger.warn({ err: (e as Error).message }, 'cannot ask nms about the network of live sites');
        this.failing = true;
      }
      for (const room of rooms) {
        if (paths) this.keepChanges(room, paths);
        this.push(room, paths);
      }
    } finally {
      this.running = false;
    }
  }

  private keepChanges(room: LiveRoom, paths: Map<string, SitePath>): void {
    if (!this.record) return;
    const live = room.live!;
    const bySite = this.seen.get(room) ?? new Map<string, Map<string, string>>();
    this.seen.set(room, bySite);
    const at = this.conference.now();
    for (const p of live.list()) {
      const path = paths.get(p.siteCode);
      if (!p.connected || !path?.known) continue;
      const before = bySite.get(p.siteId);
      try {
        for (const l of pathChanges(before, path.path)) {
          const reasons = l.reasons.map((r) => ({ code: r.code, value: r.value, minutes: r.minutes }));
          this.record({ meetingId: live.meetingId, siteId: p.siteId, at, linkId: l.id, linkName: l.name, state: l.state, reasons });
        }
      } catch (e) {
        this.logger.error({ err: e, meetingId: live.meetingId }, 'quality log: network event not kept');
      }
      bySite.set(p.siteId, new Map(path.path.map((l) => [l.id, l.state])));
    }
  }

  private push(room: LiveRoom, paths: Map<string, SitePath> | null): void {
    const live = room.live!;
    const sites: Record<string, NetworkCause> = {};
    if (paths)
      for (const p of live.list()) if (p.connected && needsCause(p.quality.grade)) sites[p.siteId] = networkCause(paths.get(p.siteCode));
    const network: RoomNetwork = { meetingId: live.meetingId, available: paths !== null, sites };
    const last = this.sent.get(room);
    const same = last !== undefined && sameNetwork(last.network, network);
    const sockets = same ? last.sockets : new Set<string>();
    const authority = live.floor.authority;
    for (const p of live.list()) {
      const socketId = room.sockets.get(p.peerId);
      if (!socketId || sockets.has(socketId) || !hasConsole(authority, p.userId)) continue;
      this.conference.toPeer(room, p.peerId, 'room:network', network);
      sockets.add(socketId);
    }
    this.sent.set(room, { network: same ? last.network : network, sockets });
  }
}

function sameNetwork(a: RoomNetwork, b: RoomNetwork): boolean {
  if (a.available !== b.available) return false;
  const keys = Object.keys(a.sites);
  if (keys.length !== Object.keys(b.sites).length) return false;
  return keys.every((k) => sameCause(a.sites[k], b.sites[k]));
}
