// How many meeting participants one user may have at once (limits.meetingPeersPerUser):
// the rule is domain/limits/connection-caps.ts's roomForPeer; this applies it over the live rooms.
import { AppError } from '@lienthong/kit';
import { roomForPeer } from '../domain/limits/connection-caps';
import type { Conference } from './conference';
import type { LiveRoom } from './live-room';

/**
 * Before a user adds a participant: refuses (TOO_MANY_PEERS) when it has `cap` connected ones,
 * else removes its oldest disconnected ones to make room. `except`: peers the join replaces or resumes.
 */
export function admitUserPeer(conference: Conference, userId: string, cap: number, except: (string | null | undefined)[]): void {
  const where = new Map<string, LiveRoom>();
  const peers = [];
  for (const room of conference.rooms.values()) {
    for (const p of room.live?.list() ?? []) {
      if (p.userId !== userId) continue;
      if (except.includes(p.peerId)) return; // a resume or a re-join adds no participant
      where.set(p.peerId, room);
      peers.push({ peerId: p.peerId, connected: p.connected, disconnectedAt: p.disconnectedAt });
    }
  }
  const verdict = roomForPeer(peers, cap);
  if (!verdict.ok) throw new AppError('TOO_MANY_PEERS', `This account is already in meetings ${cap} times; leave one first`, 409);
  for (const peerId of verdict.evict) conference.removePeer(where.get(peerId)!, peerId);
}
