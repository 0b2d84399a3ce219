// What the server knows of each room system, for the readiness board, metrics and the chair: whether
// it answers SIP (RoomProber), whether it is in a call now, and calls that dropped out of a meeting
// still running (the room hung up, or stopped refreshing its session): each is audited to the
// meeting, which the chair console shows, and counted for the RoomSystemDropped alert.
import type { Logger } from '@lienthong/kit';
import type { Core } from '../core';
import type { QualityNumbers } from '../domain/live/quality';
import type { ReachabilityView } from '../domain/room-systems/reachability';
import type { RoomSystemStatus } from '../protocol/room-systems';
import type { Conference } from '../signalling/conference';
import { RoomProber } from './room-prober';
import type { Call } from './sip-call';
import type { SipUdp } from './sip-udp';

/** Why a call ended that means the room left a running meeting by itself. */
export const DROP_REASONS = ['hung up', 'session expired'] as const;
const DROPS = new Set<string>(DROP_REASONS);

export interface RoomWatchOptions {
  udp: SipUdp;
  announcedIp: string;
  core: Pick<Core, 'roomSystems' | 'sites'>;
  conference: Conference;
  calls: () => Iterable<Call>;
  intervalMs: number;
  logger: Logger;
}

export class RoomWatch {
  readonly prober: RoomProber;
  /** Drops since start, by room system and reason. */
  readonly drops = new Map<string, { site: string; room: string; reason: string; count: number }>();

  constructor(private readonly o: RoomWatchOptions) {
    this.prober = new RoomProber({
      udp: o.udp,
      announcedIp: o.announcedIp,
      systems: () => o.core.roomSystems.all(),
      intervalMs: o.intervalMs,
      logger: o.logger,
    });
  }

  start(): void {
    this.prober.start();
  }

  stop(): void {
    this.prober.stop();
  }

  /** Reachability, and whether it is in a call now (a call is an answer too). */
  status(roomSystemId: string): RoomSystemStatus {
    const view: ReachabilityView = this.prober.view(roomSystemId);
    const inCall = [...this.o.calls()].some((c) => c.roomSystemId === roomSystemId && c.state === 'confirmed');
    return {
      reachability: inCall ? 'reachable' : view.state,
      rttMs: view.rttMs,
      checkedAt: view.checkedAt === null ? null : new Date(view.checkedAt).toISOString(),
      inCall,
    };
  }

  /** The meeting of its call now and the numbers the meeting keeps for it; null when not in one. */
  callOf(roomSystemId: string): { meetingId: string; numbers: QualityNumbers } | null {
    const call = [...this.o.calls()].find((c) => c.roomSystemId === roomSystemId && c.state === 'confirmed' && c.media);
    const live = call?.media?.room.live;
    return call?.media && live?.has(call.media.peerId) ? { meetingId: call.meetingId, numbers: live.get(call.media.peerId).quality } : null;
  }

  /** Each room system for the metrics: its site's code, name, status, and the numbers of its call now. */
  rows(): { site: string; room: string; status: RoomSystemStatus; call: QualityNumbers | null }[] {
    return this.o.core.roomSystems.all().map((r) => ({
      site: this.o.core.sites.find(r.siteId)?.code ?? r.siteId,
      room: r.name,
      status: this.status(r.id),
      call: this.callOf(r.id)?.numbers ?? null,
    }));
  }

  /** Called as a call ends, before its media goes: a drop out of a running meeting is told and counted. */
  callEnded(call: Call, why: string): void {
    if (call.state !== 'ended' || !call.media?.inMeeting || !DROPS.has(why)) return;
    const system = this.o.core.roomSystems.find(call.roomSystemId);
    const name = system?.name ?? call.roomSystemId;
    const key = `${call.roomSystemId}|${why}`;
    const site = system ? (this.o.core.sites.find(system.siteId)?.code ?? system.siteId) : '';
    const d = this.drops.get(key) ?? { site, room: name, reason: why, count: 0 };
    d.count++;
    this.drops.set(key, d);
    this.o.logger.warn({ meetingId: call.meetingId, roomSystem: name, why }, 'room system dropped out of a running meeting');
    this.o.conference.audit(call.media.room, null, 'roomSystem.dropped', system?.siteId ?? null, `${name}: ${why}`);
  }
}
