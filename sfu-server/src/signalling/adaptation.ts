// The periodic loop that keeps each receiving site's video within its link: it reads the
// measured link (media/consumer-shaping.ts), lets the domain decide the step
// (domain/adaptation), applies the plan to the site's video consumers and tells the room
// what was shed for whom (`media:adaptation`). Audio is never touched.
import type { Logger } from '@lienthong/kit';
import {
  type AdaptationTuning,
  DEFAULT_TUNING,
  decide,
  initialLinkState,
  isSteady,
  SHED_STEPS,
  summary,
} from '../domain/adaptation/ladder';
import { demandOf, shedCounts, videoPlan } from '../domain/adaptation/plan';
import { hasConsole } from '../domain/floor/authority';
import type { SiteAdaptation } from '../protocol';
import type { PeerAdaptation, RoomAdaptation } from './adaptation-state';
import { rowsFor } from './adaptation-table';
import type { Conference } from './conference';
import type { LiveRoom } from './live-room';

export interface AdaptationOptions {
  /** Off: nothing is shed (sites still report their uplink). */
  enabled: boolean;
  tuning?: AdaptationTuning;
  logger: Logger;
  now?: () => number;
  /**
   * How often a steady link (ladder.isSteady) is read, ms; others every tick. Each reading is
   * stats requests to the worker: in a calm meeting of many sites they were most of the
   * server's own work. Default 3 s.
   */
  steadySampleMs?: number;
}

export function adaptationOf(room: LiveRoom): RoomAdaptation {
  room.adaptation ??= { peers: new Map(), sent: new Map() };
  return room.adaptation;
}

function peerState(room: LiveRoom, peerId: string, now: number, tuning: AdaptationTuning): PeerAdaptation {
  const a = adaptationOf(room);
  let p = a.peers.get(peerId);
  if (!p) {
    p = { link: initialLinkState(now, tuning), paused: 0, lowered: 0, sendVideoPaused: false, uplinkKbps: null, nextSampleAt: 0 };
    a.peers.set(peerId, p);
  }
  return p;
}

export class AdaptationLoop {
  private readonly tuning: AdaptationTuning;
  private readonly now: () => number;
  private running = false;

  constructor(
    private readonly conference: Conference,
    private readonly opts: AdaptationOptions,
  ) {
    this.tuning = opts.tuning ?? DEFAULT_TUNING;
    this.now = opts.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.opts.enabled;
  }

  /** One pass over every meeting room; a pass still running is not overlapped. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const room of [...this.conference.rooms.values()]) if (room.live) await this.adaptRoom(room);
    } finally {
      this.running = false;
    }
  }

  private async adaptRoom(room: LiveRoom): Promise<void> {
    const live = room.live;
    if (!live) return;
    const a = adaptationOf(room);
    for (const peerId of a.peers.keys()) if (!live.has(peerId) || !room.media.hasPeer(peerId)) a.peers.delete(peerId);
    const now = this.now();
    for (const p of live.list()) {
      if (!p.connected || !room.media.hasPeer(p.peerId)) continue;
      if (now < (a.peers.get(p.peerId)?.nextSampleAt ?? 0)) continue;
      try {
        await this.adaptPeer(room, p.peerId);
      } catch (e) {
        // the peer left while its link was read
        this.opts.logger.debug({ err: e, peerId: p.peerId }, 'adaptation skipped a peer');
      }
    }
    this.publish(room);
  }

  private async adaptPeer(room: LiveRoom, peerId: string): Promise<void> {
    // A link that was steady at its last sample is read through one stream: if that one shows trouble,
    // the sample is not steady and the next one (a tick later) reads four.
    const wasSteady = (room.adaptation?.peers.get(peerId)?.nextSampleAt ?? 0) > 0;
    const link = await room.media.recvLink(peerId, wasSteady ? 1 : 4);
    if (!link) return;
    const now = this.now();
    const state = peerState(room, peerId, now, this.tuning);
    const mainPeerId = room.live?.mainFor(peerId) ?? null;
    const sample = { at: now, estimateBps: link.estimateBps, sendBps: link.sendBps, rttMs: link.rttMs, lossFraction: link.lossFraction };
    state.lastLink = { at: now, rttMs: link.rttMs, sendBps: link.sendBps };
    const before = state.link.step;
    const demand = demandOf(link.audioStreams, link.video, mainPeerId);
    if (this.opts.enabled) state.link = decide(state.link, sample, demand, this.tuning);
    else state.link = { ...state.link, estimateKbps: link.estimateBps === null ? null : Math.round(link.estimateBps / 1000) };
    const steady = !this.opts.enabled || isSteady(state.link, sample, demand, this.tuning);
    // Less half a tick: the loop's timer may fire a little early.
    state.nextSampleAt = steady ? now + (this.opts.steadySampleMs ?? 3000) - 500 : 0;
    this.opts.logger.debug({ peerId, ...sample, step: SHED_STEPS[state.link.step] }, 'adaptation sample');
    if (state.link.step !== before)
      this.opts.logger.info({ peerId, ...sample, from: SHED_STEPS[before], to: SHED_STEPS[state.link.step] }, 'adaptation step');
    const actions = videoPlan(this.opts.enabled ? state.link.step : 0, link.video, mainPeerId);
    await room.media.shedVideo(peerId, actions);
    Object.assign(state, shedCounts(actions));
  }

  /**
   * A site's media starts anew (a reloaded page resuming its place, a rebuild): its old link's
   * state goes with it. Kept, the collapse of the dying link would shed the new consumers.
   */
  mediaRestarted(room: LiveRoom, peerId: string): void {
    room.adaptation?.peers.delete(peerId);
  }

  /** A new video consumer of a site gets the site's current step before its first frame. */
  async beforeResume(room: LiveRoom, peerId: string): Promise<void> {
    const state = room.adaptation?.peers.get(peerId);
    if (!this.opts.enabled || !state || state.link.step === 0) return;
    const link = await room.media.recvLink(peerId);
    if (link) await room.media.shedVideo(peerId, videoPlan(state.link.step, link.video, room.live?.mainFor(peerId) ?? null));
  }

  /** A site's own report of its uplink (its camera paused for it, or back). */
  uplink(room: LiveRoom, peerId: string, videoPaused: boolean, uplinkKbps: number | null): void {
    const state = peerState(room, peerId, this.now(), this.tuning);
    if (state.sendVideoPaused !== videoPaused) this.opts.logger.info({ peerId, videoPaused, uplinkKbps }, 'site uplink camera');
    state.sendVideoPaused = videoPaused;
    state.uplinkKbps = uplinkKbps;
    this.publish(room);
  }

  /** Sends the room's table when it changed. */
  publish(room: LiveRoom): void {
    const live = room.live;
    if (!live) return;
    const sites: SiteAdaptation[] = [];
    for (const [peerId, p] of [...adaptationOf(room).peers].sort(([x], [y]) => x.localeCompare(y))) {
      if (!live.has(peerId)) continue;
      const s = summary(p.link);
      sites.push({
        peerId,
        siteId: live.get(peerId).siteId,
        ...s,
        paused: p.paused,
        lowered: p.lowered,
        sendVideoPaused: p.sendVideoPaused,
        uplinkKbps: p.uplinkKbps,
      });
    }
    // The estimate moves all the time: it goes out when it moved by a quarter or more, and only for a
    // site whose screens show it (something shed; its uplink figure while its camera is paused). On
    // loopback an 8-site table went to everyone every 4 s for figures nobody saw. A socket bound since
    // the last send (a join, a reconnect) gets its table too.
    const bucket = (kbps: number | null) => (kbps === null ? null : Math.round(Math.log2(Math.max(1, kbps)) * 3));
    const shown = (rows: SiteAdaptation[]) =>
      JSON.stringify(
        rows.map((s) => ({
          ...s,
          linkKbps: s.step === 'none' ? null : bucket(s.linkKbps),
          uplinkKbps: s.sendVideoPaused ? s.uplinkKbps : null,
        })),
      );
    const a = adaptationOf(room);
    const sent = new Map<string, string>();
    for (const p of live.list()) {
      const socketId = room.sockets.get(p.peerId);
      if (!socketId) continue;
      const rows = rowsFor(sites, p.peerId, hasConsole(live.floor.authority, p.userId));
      const json = shown(rows);
      sent.set(socketId, json);
      if (a.sent.get(socketId) !== json) this.conference.toPeer(room, p.peerId, 'media:adaptation', { sites: rows });
    }
    a.sent = sent;
  }
}
